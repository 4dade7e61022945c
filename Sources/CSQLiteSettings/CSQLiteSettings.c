#include <sqlite3.h>
#include "CSQLiteSettings.h"

int tansiq_sqlite_config_no_bulk_page_cache(void) {
    // pMem NULL and N 0: no memory set aside, and no initial bulk allocation per connection
    // (by default 20 pages, about 80 KB, taken whether the file ever needs them or not).
    return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}
