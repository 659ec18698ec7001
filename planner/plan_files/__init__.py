"""A saved plan's files: text cells written safe for spreadsheets (:mod:`.cells`), and the plan
folder read back and checked as strictly as the inputs (:mod:`.loader`, against :mod:`.columns`
and :mod:`.summary`)."""
