// The command palette (Ctrl/Cmd+K) and the page's keyboard shortcuts.
