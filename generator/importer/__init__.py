"""Importers: minutes PDF text and 国会会議録 API JSON turned into the Markdown minutes format.

`command.run_import` is the `minutes import` command; `kokkai` and `pdftext` read sources into
`record.ImportedMeeting` values, and `writer` writes each of them as one Markdown file.
"""
