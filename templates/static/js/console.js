// The SQL console tab.
