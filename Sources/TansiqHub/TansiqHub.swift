/// The `TansiqHub` module (being built).
public enum TansiqHubModule {}
