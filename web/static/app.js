// Progressive enhancement only: every page works without this file.
// Nothing needs it at the moment: the calendar upload posts the chosen file itself
// (multipart/form-data), so no script reads the file into the text area any more.
