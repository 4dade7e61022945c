/// The `ZeroMQ` module (being built).
public enum ZeroMQModule {}
