// Package templates holds the studio's page: its HTML template and the
// scripts and styles it loads, embedded in the mizzle binary so that the
// studio never fetches anything from anywhere else. They are written by
// hand, as plain ES modules and CSS; nothing builds them.
package templates

import "embed"

// FS holds index.html and the static folder.
//
//go:embed index.html static
var FS embed.FS
