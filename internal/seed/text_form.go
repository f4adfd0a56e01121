package seed

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Text returns a generated value in PostgreSQL's text form ("NULL" for
// nil): how the golden test shows values, and how they are sent where a
// type is only known by name.
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return v
	case bool:
		if v {
			return "t"
		}
		return "f"
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case pgtype.Numeric:
		s := v.Int.String()
		if v.Exp >= 0 {
			return s + strings.Repeat("0", int(v.Exp))
		}
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		scale := int(-v.Exp)
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
		if neg {
			s = "-" + s
		}
		return s
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 {
			return v.Format("2006-01-02")
		}
		return v.Format("2006-01-02 15:04:05")
	case pgtype.Time:
		d := time.Duration(v.Microseconds) * time.Microsecond
		return fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case pgtype.Interval:
		d := time.Duration(v.Microseconds) * time.Microsecond
		return fmt.Sprintf("%d days %02d:%02d:%02d", v.Days, int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case [16]byte:
		h := hex.EncodeToString(v[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	case []byte:
		return `\x` + hex.EncodeToString(v)
	case netip.Prefix:
		if v.Bits() == v.Addr().BitLen() {
			return v.Addr().String()
		}
		return v.String()
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s := Text(e)
			if e != nil && (s == "" || strings.ContainsAny(s, `{},"\ `) || strings.EqualFold(s, "null")) {
				s = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
			}
			parts[i] = s
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}
