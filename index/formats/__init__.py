"""Reading formats: from a file to a ``LoadedDocument`` (pages of text and the document's
metadata). ``registry`` finds the files of a corpus and picks a loader by suffix (plain text
and Markdown are read there); ``word`` reads .docx, ``pdf/`` reads PDF files with the book's
structure; ``furniture`` removes running heads and footers, ``metadata`` takes a title and
authors from a file's own metadata, and ``describe`` reports what was recognised
(``tillit index --show-structure``). Nothing here chunks, embeds or writes."""
