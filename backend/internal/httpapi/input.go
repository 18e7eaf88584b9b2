package httpapi

import (
	"fmt"
	"html"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// What a request may carry, checked at the edge for every route so that no
// handler has to remember:
//
//   - text: path values, query keys and values and every string of a JSON
//     body (nested, in lists, map keys) must be UTF-8 without NUL, which
//     PostgreSQL refuses (a 500 otherwise) and SQLite would store as is.
//     Path values that are not text name nothing (404); query and body text
//     is the caller's to fix (400).
//   - sizes: the wire types' `maxLength:"…"` and `maxItems:"…"` tags name
//     limits of package domain; a decoded body over one is refused with 422
//     validation_failed and a message per field, and the OpenAPI document
//     publishes the same limits.

// checkText refuses a request whose path or query values are not text.
func checkText(r *http.Request, pathNames []string) *domain.Error {
	for _, name := range pathNames {
		if !isText(r.PathValue(name)) {
			return domain.Errorf(domain.CodeNotFound, "there is nothing at this address")
		}
	}
	f := domain.Fields{}
	for k, vs := range r.URL.Query() {
		if !isText(k) {
			return domain.Errorf(domain.CodeBadRequest, "the query has a parameter name that is not UTF-8 text")
		}
		for _, v := range vs {
			if !isText(v) {
				f.Add(k, textProblem)
			}
		}
	}
	if len(f) > 0 {
		return &domain.Error{Code: domain.CodeBadRequest, Message: "the query holds something that is not text", Fields: f}
	}
	return nil
}

const textProblem = "must be UTF-8 text without NUL characters"

func isText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// refuse answers a request turned away at the edge in the body its route
// speaks: the API's error shape, or text for the pages browsers open (short
// links, the OAuth callback).
func (s *Server) refuse(w http.ResponseWriter, rt route, de *domain.Error) {
	status := StatusOf(de.Code)
	switch rt.out {
	case reflect.TypeOf(redirectTo{}):
		msg := de.Message
		if de.Code == domain.CodeNotFound {
			msg = "This link does not exist."
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = fmt.Fprintln(w, msg)
	case reflect.TypeOf(htmlPage{}):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>Chorus</title><p>%s</p>\n", html.EscapeString(de.Message))
	default:
		writeError(w, de)
	}
}

// checkInput checks a decoded request body: text everywhere (400), then the
// limits its type's tags name (422).
func checkInput(v any) error {
	var c inputCheck
	c.walk(reflect.ValueOf(v), "", reflect.StructField{})
	if len(c.notText) > 0 {
		return &domain.Error{Code: domain.CodeBadRequest, Message: "the body holds something that is not text", Fields: c.notText}
	}
	return c.tooBig.Err()
}

type inputCheck struct {
	notText, tooBig domain.Fields
}

func (c *inputCheck) text(path, s string) {
	if !isText(s) {
		if c.notText == nil {
			c.notText = domain.Fields{}
		}
		c.notText.Add(fieldName(path), textProblem)
	}
}

func (c *inputCheck) over(path, msg string) {
	if c.tooBig == nil {
		c.tooBig = domain.Fields{}
	}
	c.tooBig.Add(path, msg)
}

func fieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// walk visits v, found at path in the body; f is the struct field holding
// it (its tags apply to v, or to the items of a list).
func (c *inputCheck) walk(v reflect.Value, path string, f reflect.StructField) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			c.walk(v.Elem(), path, f)
		}
	case reflect.String:
		s := v.String()
		c.text(path, s)
		if n, ok := tagLimit(f, "maxLength"); ok && utf8.RuneCountInString(s) > n {
			c.over(path, fmt.Sprintf("must be at most %d characters", n))
		}
	case reflect.Slice, reflect.Array:
		if n, ok := tagLimit(f, "maxItems"); ok && v.Len() > n {
			c.over(path, fmt.Sprintf("must have at most %d items", n))
			return // each item is not worth a look
		}
		for i := 0; i < v.Len(); i++ {
			item := v.Index(i)
			if item.Kind() == reflect.String {
				s := item.String()
				c.text(path, s)
				if n, ok := tagLimit(f, "maxLength"); ok && utf8.RuneCountInString(s) > n {
					c.over(path, fmt.Sprintf("items must be at most %d characters", n))
				}
				continue
			}
			c.walk(item, path+"["+strconv.Itoa(i)+"]", reflect.StructField{})
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if k.Kind() == reflect.String && isText(k.String()) {
				c.walk(it.Value(), joinPath(path, k.String()), reflect.StructField{})
				continue
			}
			if k.Kind() == reflect.String {
				c.text(path, k.String())
			}
			c.walk(it.Value(), path, reflect.StructField{})
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" || (!sf.IsExported() && !sf.Anonymous) {
				continue
			}
			if sf.Anonymous && name == "" {
				c.walk(v.Field(i), path, reflect.StructField{}) // flattened, as encoding/json does
				continue
			}
			if name == "" {
				name = sf.Name
			}
			c.walk(v.Field(i), joinPath(path, name), sf)
		}
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// tagLimit reads a limit tag of a wire type's field: the name of a limit of
// package domain.
func tagLimit(f reflect.StructField, key string) (int, bool) {
	name, ok := f.Tag.Lookup(key)
	if !ok {
		return 0, false
	}
	n, ok := domain.Limit(name)
	if !ok {
		panic(fmt.Sprintf("httpapi: field %s: %s:%q names no limit of package domain", f.Name, key, name))
	}
	return n, true
}

// checkTags panics unless every limit tag of t (and the types it holds)
// names a limit: a typo must stop the server at start, not let a field
// through unchecked.
func checkTags(t reflect.Type, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tagLimit(f, "maxLength")
		tagLimit(f, "maxItems")
		checkTags(f.Type, seen)
	}
}

// bodyLimit is how large a body of type t may be: MaxBodyBytes, or room
// for the longest lists its tags allow (a group's members) and a quarter
// MiB for the rest, in whole MiB.
func bodyLimit(t reflect.Type) int64 {
	const mib = 1 << 20
	lists := listBytes(t, map[reflect.Type]bool{})
	if lists == 0 {
		return MaxBodyBytes
	}
	n := (lists + mib/4 + mib - 1) / mib * mib
	return max(MaxBodyBytes, n)
}

// listBytes is the most JSON the tagged lists of t can take: each item its
// longest plain text, two quotes and a comma.
func listBytes(t reflect.Type, seen map[reflect.Type]bool) int64 {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return 0
	}
	seen[t] = true
	var sum int64
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		items, okItems := tagLimit(f, "maxItems")
		length, okLen := tagLimit(f, "maxLength")
		if ft.Kind() == reflect.Slice && okItems && okLen && ft.Elem().Kind() == reflect.String {
			sum += int64(items) * int64(length+3)
			continue
		}
		sum += listBytes(ft, seen)
	}
	return sum
}
