// The schema tab: structure, ER diagram, drift and migrations.
