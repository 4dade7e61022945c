/// The `TansiqAgent` module (being built).
public enum TansiqAgentModule {}
