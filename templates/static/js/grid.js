// The data grid of a table (the 'data' tab), its filters, sort and pages.
