// Staged edits of the grid's rows, their SQL preview and save.
