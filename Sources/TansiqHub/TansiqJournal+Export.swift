// The hub's API speaks in the journal's types (configurations, records, the registry's rows):
// whoever imports the hub gets them without a second import.
@_exported import TansiqJournal
