package seed

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/schema"
)

// textKind is what a text column's name says it holds.
type textKind int

const (
	textWords textKind = iota
	textEmail
	textFirstName
	textLastName
	textFullName
	textUsername
	textURL
	textPhone
	textCity
	textCountry
	textCountryCode
	textStreet
	textPostcode
	textState
	textCompany
	textJobTitle
	textTitle
	textParagraph
	textSlug
	textCurrency
	textTicker
	textIP
)

// kindOf reads a column name by its words (userEmail and user_email are
// both "user email"): the last word decides, with a few pairs first.
func kindOf(column string) textKind {
	words := strings.Split(schema.SnakeCase(column), "_")
	last := words[len(words)-1]
	prev := ""
	if len(words) > 1 {
		prev = words[len(words)-2]
	}
	switch {
	case prev == "first" && last == "name", last == "firstname", last == "forename", last == "given":
		return textFirstName
	case prev == "last" && last == "name", prev == "family" && last == "name", last == "lastname", last == "surname":
		return textLastName
	case prev == "user" && last == "name", prev == "screen" && last == "name":
		return textUsername
	case prev == "company" && last == "name", prev == "org" && last == "name":
		return textCompany
	case prev == "job" && last == "title":
		return textJobTitle
	case prev == "country" && last == "code":
		return textCountryCode
	case prev == "zip" && last == "code", prev == "postal" && last == "code":
		return textPostcode
	case prev == "ip" && last == "address":
		return textIP
	}
	switch last {
	case "email", "mail":
		return textEmail
	case "name", "fullname":
		return textFullName
	case "username", "login", "handle", "nickname":
		return textUsername
	case "url", "website", "homepage", "link", "avatar", "image", "picture", "photo":
		return textURL
	case "phone", "mobile", "telephone", "tel", "fax":
		return textPhone
	case "city", "town":
		return textCity
	case "country":
		return textCountry
	case "street", "address", "address1", "address2", "line1", "line2":
		return textStreet
	case "zip", "zipcode", "postcode", "postal":
		return textPostcode
	case "state", "province", "region":
		return textState
	case "company", "organization", "organisation", "employer", "vendor", "brand":
		return textCompany
	case "job", "occupation", "position", "role":
		return textJobTitle
	case "title", "subject", "headline", "label", "caption", "summary":
		return textTitle
	case "description", "bio", "body", "content", "text", "note", "notes", "comment", "message", "details", "about":
		return textParagraph
	case "slug", "key", "id", "code":
		return textSlug
	case "currency":
		return textCurrency
	case "symbol", "ticker":
		return textTicker
	case "ip":
		return textIP
	}
	return textWords
}

func one(s *stream, list []string) string { return list[s.intn(uint64(len(list)))] }

func words(s *stream, lo, hi int) string {
	n := s.between(int64(lo), int64(hi))
	w := make([]string, n)
	for i := range w {
		w[i] = one(s, loremWords)
	}
	return strings.Join(w, " ")
}

func sentence(s *stream, lo, hi int) string {
	t := words(s, lo, hi)
	return strings.ToUpper(t[:1]) + t[1:] + "."
}

// textValue makes one value of kind k.
func textValue(k textKind, s *stream) string {
	switch k {
	case textEmail:
		return strings.ToLower(one(s, firstNames)+"."+one(s, lastNames)) + "@" + one(s, domains)
	case textFirstName:
		return one(s, firstNames)
	case textLastName:
		return one(s, lastNames)
	case textFullName:
		return one(s, firstNames) + " " + one(s, lastNames)
	case textUsername:
		return strings.ToLower(one(s, firstNames)) + "_" + strings.ToLower(one(s, lastNames))
	case textURL:
		return "https://" + one(s, domains) + "/" + one(s, loremWords)
	case textPhone:
		return "+1 555 01" + pad(s.intn(100), 2)
	case textCity:
		return one(s, cities)
	case textCountry:
		return one(s, countries)
	case textCountryCode:
		return one(s, countryCodes)
	case textStreet:
		return strconv.FormatUint(1+s.intn(200), 10) + " " + one(s, streetNames) + " " + one(s, streetKinds)
	case textPostcode:
		return pad(s.intn(100000), 5)
	case textState:
		return one(s, states)
	case textCompany:
		return one(s, companyWords) + " " + one(s, companySuffixes)
	case textJobTitle:
		return one(s, jobTitles)
	case textTitle:
		return sentence(s, 2, 6)
	case textParagraph:
		return sentence(s, 8, 16) + " " + sentence(s, 6, 12)
	case textSlug:
		return strings.ReplaceAll(words(s, 2, 4), " ", "-")
	case textCurrency:
		return one(s, currencies)
	case textTicker:
		return one(s, tickers)
	case textIP:
		return "10." + strconv.FormatUint(s.intn(256), 10) + "." + strconv.FormatUint(s.intn(256), 10) + "." + strconv.FormatUint(1+s.intn(254), 10)
	}
	return words(s, 1, 3)
}

// uniqueText makes the k-th of a unique column's values: a value of its
// kind with k written in, where the value ends or, for an address, before
// the @. Nothing in the data sets ends in a digit, so k can be read back
// from the value: distinct k give distinct values.
func uniqueText(kind textKind, k uint64, s *stream) string {
	n := strconv.FormatUint(k+1, 10)
	switch kind {
	case textEmail:
		return strings.ToLower(one(s, firstNames)+"."+one(s, lastNames)) + n + "@" + one(s, domains)
	case textPhone:
		return "+1 555 " + pad(k, 7)
	case textIP:
		return strconv.FormatUint(k>>24&255, 10) + "." + strconv.FormatUint(k>>16&255, 10) + "." + strconv.FormatUint(k>>8&255, 10) + "." + strconv.FormatUint(k&255, 10)
	case textSlug, textUsername:
		v := textValue(kind, s)
		return v + "-" + n
	}
	return textValue(kind, s) + " " + n
}

func pad(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// base36 writes k without leading zeros: the unique value of a column too
// short for anything else.
func base36(k uint64) string { return strconv.FormatUint(k, 36) }

// textGen makes the values of a text column: by its name, cut to its
// length; unique values fall back to base-36 numbers when a value of the
// column's kind does not fit.
func textGen(t *schema.Table, c *schema.Column, typ schema.Type) *valueGen {
	kind := kindOf(c.Name)
	limit := 0
	if typ.Name != "text" && typ.Mod != "" {
		limit, _ = strconv.Atoi(typ.Mod)
	}
	size := uint64(math.MaxInt64)
	if limit > 0 && limit < 12 {
		size = uint64(math.Pow(36, float64(limit)))
	}
	if kind == textIP {
		size = 1 << 32
	}
	return &valueGen{
		random: func(s *stream) any { return cut(textValue(kind, s), limit) },
		size:   size,
		at: func(k uint64, s *stream) any {
			v := uniqueText(kind, k, s)
			if limit > 0 && utf8.RuneCountInString(v) > limit {
				return base36(k)
			}
			return v
		},
	}
}

// cut shortens v to limit characters, without a trailing space.
func cut(v string, limit int) string {
	if limit <= 0 || utf8.RuneCountInString(v) <= limit {
		return v
	}
	r := []rune(v)
	return strings.TrimRight(string(r[:limit]), " ")
}
