"""Development tools kept in the repository and out of the installed package: a live server
for tests (``live``), the load check (``loadcheck``) and the documentation's screenshots
(``screenshots``)."""
