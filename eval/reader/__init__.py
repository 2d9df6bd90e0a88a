"""Training data and training for Tillit's reader (``assistant.reader``).

``sources`` reads the passages the hand-written questions were written over and splits them
into numbered sentences; ``pairs`` turns the hand-written items, SweQuAD-MC's training
questions and the chapter into labelled (question, candidate) pairs; ``train`` fine-tunes
the reader (``python -m eval.train_reader``).
"""
