// The sidebar: schemas, tables, views, search.
