// The operation log tab: every statement the studio ran.
