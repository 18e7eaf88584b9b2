package httpapi

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
)

// TestEveryRequestFieldIsLimited walks the body type of every route: each
// string has a maxLength, each list a maxItems (and its strings a
// maxLength), so a field added without a limit fails here, not in
// production with a megabyte name.
func TestEveryRequestFieldIsLimited(t *testing.T) {
	s := New(Options{})
	n := 0
	for _, rt := range s.routes {
		if rt.in != nil {
			n++
			unlimited(t, rt.method+" "+rt.path, rt.in, map[reflect.Type]bool{})
		}
	}
	if n < 20 {
		t.Fatalf("only %d routes with a body", n)
	}
}

func unlimited(t *testing.T, where string, typ reflect.Type, seen map[reflect.Type]bool) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || seen[typ] {
		return
	}
	seen[typ] = true
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		_, hasLen := f.Tag.Lookup("maxLength")
		_, hasItems := f.Tag.Lookup("maxItems")
		switch ft.Kind() {
		case reflect.String:
			if !hasLen {
				t.Errorf("%s: %s.%s has no maxLength tag", where, typ.Name(), f.Name)
			}
		case reflect.Slice, reflect.Map:
			if !hasItems && ft.Kind() == reflect.Slice {
				t.Errorf("%s: %s.%s has no maxItems tag", where, typ.Name(), f.Name)
			}
			if ft.Kind() == reflect.Map {
				t.Errorf("%s: %s.%s is a map: give it a limit first", where, typ.Name(), f.Name)
			}
			if ft.Elem().Kind() == reflect.String && !hasLen {
				t.Errorf("%s: %s.%s has no maxLength tag for its items", where, typ.Name(), f.Name)
			}
			unlimited(t, where, ft.Elem(), seen)
		case reflect.Struct:
			unlimited(t, where, ft, seen)
		}
	}
}

type inner struct {
	Note string `json:"note" maxLength:"name"`
}

type nested struct {
	Name  string            `json:"name" maxLength:"name"`
	Tags  []string          `json:"tags" maxItems:"ids" maxLength:"id"`
	Inner *inner            `json:"inner"`
	List  []inner           `json:"list" maxItems:"ids"`
	Map   map[string]string `json:"map"`
	Skip  string            `json:"-"`
}

func TestCheckInput(t *testing.T) {
	cases := []struct {
		name  string
		in    nested
		code  string
		field string
	}{
		{"fine", nested{Name: "ok", Tags: []string{"a"}, Inner: &inner{"n"}, Map: map[string]string{"k": "v"}}, "", ""},
		{"NUL in a string", nested{Name: "a\x00"}, domain.CodeBadRequest, "name"},
		{"not UTF-8", nested{Name: "\xff"}, domain.CodeBadRequest, "name"},
		{"in a list", nested{Tags: []string{"ok", "\x00"}}, domain.CodeBadRequest, "tags"},
		{"nested", nested{Inner: &inner{"\x00"}}, domain.CodeBadRequest, "inner.note"},
		{"in a list of objects", nested{List: []inner{{"ok"}, {"\xc3\x28"}}}, domain.CodeBadRequest, "list[1].note"},
		{"map key", nested{Map: map[string]string{"\x00": "v"}}, domain.CodeBadRequest, "map"},
		{"map value", nested{Map: map[string]string{"k": "\x00"}}, domain.CodeBadRequest, "map.k"},
		{"an ignored field is not read", nested{Skip: "\x00"}, "", ""},
		{"too long", nested{Name: strings.Repeat("名", domain.MaxNameLength+1)}, domain.CodeValidation, "name"},
		{"item too long", nested{Tags: []string{strings.Repeat("x", domain.MaxIDLength+1)}}, domain.CodeValidation, "tags"},
		{"too many", nested{Tags: make([]string, domain.MaxIDs+1)}, domain.CodeValidation, "tags"},
		{"nested too long", nested{List: []inner{{strings.Repeat("x", domain.MaxNameLength+1)}}}, domain.CodeValidation, "list[0].note"},
		{"at the limits", nested{Name: strings.Repeat("名", domain.MaxNameLength), Tags: make([]string, domain.MaxIDs)}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkInput(&c.in)
			var de *domain.Error
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &de) || de.Code != c.code || de.Fields[c.field] == "" {
				t.Fatalf("got %v, want %s naming %s", err, c.code, c.field)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	if got := bodyLimit(reflect.TypeOf(client.ActivityInput{})); got != MaxBodyBytes {
		t.Errorf("activity body limit %d, want %d", got, MaxBodyBytes)
	}
	// 100,000 ids of 64 characters: room for them all.
	got := bodyLimit(reflect.TypeOf(client.SetMembers{}))
	if need := int64(domain.MaxMembers * (domain.MaxIDLength + 3)); got < need || got > 2*need {
		t.Errorf("member list body limit %d, want a little over %d", got, need)
	}
}

func TestUnknownLimitTagStopsTheServer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a tag naming no limit was accepted")
		}
	}()
	type typo struct {
		Name string `json:"name" maxLength:"nmae"`
	}
	checkTags(reflect.TypeOf(typo{}), map[reflect.Type]bool{})
}
