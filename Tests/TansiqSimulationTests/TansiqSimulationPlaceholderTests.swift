import Testing
@testable import TansiqSimulation

@Test func moduleLinks() { _ = TansiqSimulationModule.self }
