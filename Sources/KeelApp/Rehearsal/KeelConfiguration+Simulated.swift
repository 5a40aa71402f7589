extension KeelConfiguration {
    /// This configuration with each provider stood in for by a simulator of the same name (a
    /// simulated provider keeps its profile; the others get the default one), and no keys of its
    /// own: what a scenario without a gateway rehearses.
    var simulated: KeelConfiguration {
        var copy = self
        copy.providers = providers.map { provider in
            var standIn = provider
            standIn.kind = .simulated
            return standIn
        }
        copy.keys = []
        return copy
    }
}
