package migrate_test

import (
	"os"
	"testing"

	"github.com/mizzle/mizzle/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
