#ifndef TANSIQ_CSQLITE_SETTINGS_H
#define TANSIQ_CSQLITE_SETTINGS_H

/// Process-wide SQLite settings that Swift cannot make itself: `sqlite3_config` is variadic.
/// Each returns SQLite's result code; SQLITE_MISUSE (21) once SQLite has been initialised,
/// that is once any connection has been opened in the process.

/// No bulk page-cache allocation when a connection opens: pages are allocated as they are used.
int tansiq_sqlite_config_no_bulk_page_cache(void);

#endif
