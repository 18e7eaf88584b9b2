package store

// dialect is the little that differs between SQLite and PostgreSQL.
type dialect struct {
	name   string
	dollar bool // $1 placeholders instead of ?
	// replacements applied to migration text, so one schema serves both
	schema map[string]string
}

var sqliteDialect = dialect{
	name: "sqlite",
	schema: map[string]string{
		"{{autoid}}": "INTEGER PRIMARY KEY AUTOINCREMENT",
	},
}

var postgresDialect = dialect{
	name:   "postgres",
	dollar: true,
	schema: map[string]string{
		"{{autoid}}": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
	},
}
