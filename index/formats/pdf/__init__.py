"""PDF files: lines with where and how they are printed (``lines``), the loader
(``loader``), two-column pages (``columns``), OCR of scanned pages (``ocr``), printed page
numbers (``pages``), character repairs (``text``) and a book's chapters, authors and table
of contents (``book_structure``)."""
