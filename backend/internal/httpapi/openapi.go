package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// The OpenAPI document is generated from the route table and the wire types,
// so it cannot drift from what is served; a test validates real responses
// against it.

var (
	openapiOnce sync.Once
	openapiDoc  []byte
)

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	openapiOnce.Do(func() {
		openapiDoc, _ = json.MarshalIndent(s.OpenAPI(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiDoc)
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI builds the OpenAPI 3.0 document.
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]any{}
	errRef := g.ref(reflect.TypeOf(client.ErrorBody{}))
	for _, rt := range s.routes {
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": "string"}})
		}
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": strings.ToLower(rt.method) + opName(rt.path),
			"responses": map[string]any{
				"default": map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": errRef}}},
			},
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.access != public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
		} else {
			op["security"] = []any{}
		}
		op["x-access"] = rt.access.String()
		if rt.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.ref(rt.in)}}}
		}
		resp := map[string]any{"description": "success"}
		if rt.out == reflect.TypeOf(redirectTo{}) {
			op["responses"] = map[string]any{
				"302": map[string]any{"description": "to the link's URL", "headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}}}},
				"400": map[string]any{"description": "a query that is not UTF-8 text", "content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}},
				"404": map[string]any{"description": "no such link", "content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}},
			}
			item[strings.ToLower(rt.method)] = op
			continue
		}
		if rt.out == reflect.TypeOf(htmlPage{}) {
			resp["content"] = map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}}}
			op["responses"].(map[string]any)["400"] = resp
			op["responses"].(map[string]any)["404"] = resp
		} else if rt.out != nil {
			content := map[string]any{"application/json": map[string]any{"schema": g.ref(rt.out)}}
			if rt.csv {
				content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			if rt.stream {
				content["text/event-stream"] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			resp["content"] = content
		}
		op["responses"].(map[string]any)[itoa(rt.status)] = resp
		if rt.doc != nil {
			rt.doc(op)
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Chorus API", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func opName(path string) string {
	var b strings.Builder
	for _, part := range strings.Split(path, "/") {
		part = strings.Trim(part, "{}")
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ReplaceAll(part[1:], "_", ""))
	}
	return b.String()
}

type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})

var rawJSONType = reflect.TypeOf(json.RawMessage(nil))

func (g *schemaGen) ref(t reflect.Type) map[string]any {
	return g.schema(t)
}

func defName(t reflect.Type) string {
	n := t.Name()
	// generic instances: List[github.com/…/client.Member] -> MemberList
	if i := strings.IndexByte(n, '['); i >= 0 {
		inner := n[i+1 : len(n)-1]
		inner = inner[strings.LastIndexByte(inner, '.')+1:]
		return inner + n[:i]
	}
	return n
}

// fields adds t's JSON fields to props, flattening embedded structs as
// encoding/json does.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		fname, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && fname == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props, required)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if fname == "" {
			fname = f.Name
		}
		props[fname] = limited(g.schema(f.Type), f)
		if !strings.Contains(opts, "omitempty") {
			*required = append(*required, fname)
		}
	}
}

// limited adds a field's limit tags to its schema: maxLength to a string,
// or to a list's items; maxItems to a list. The validator (input.go) reads
// the same tags.
func limited(s map[string]any, f reflect.StructField) map[string]any {
	if n, ok := tagLimit(f, "maxItems"); ok && s["type"] == "array" {
		s["maxItems"] = n
	}
	if n, ok := tagLimit(f, "maxLength"); ok {
		switch s["type"] {
		case "string":
			s["maxLength"] = n
		case "array":
			if items, _ := s["items"].(map[string]any); items["type"] == "string" {
				items["maxLength"] = n
			}
		}
	}
	return s
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawJSONType:
		return map[string]any{} // any JSON value
	case t.Kind() == reflect.Pointer:
		s := g.schema(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := defName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // breaks cycles
			props := map[string]any{}
			var required []string
			g.fields(t, props, &required)
			def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
			if len(required) > 0 {
				def["required"] = required
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}
