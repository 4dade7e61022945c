/// The `TansiqSimulation` module (being built).
public enum TansiqSimulationModule {}
