/// The `TansiqMessages` module (being built).
public enum TansiqMessagesModule {}
