package pg

import (
	"errors"

	"github.com/jackc/pgx/v5"
)

// errStop is what a scan function returns to end scanRows early without
// an error: an Iter whose caller broke out of the loop.
var errStop = errors.New("stop")

// scanRows calls scan for each row of rows, then closes them, and returns
// the first error: scan's, other than errStop, or that of the rows. It is
// the one loop over rows in the package, so that none forgets Close or
// Err.
func scanRows(rows pgx.Rows, scan func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}
