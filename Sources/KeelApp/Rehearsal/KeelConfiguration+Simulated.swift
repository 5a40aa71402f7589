import KeelCore

extension KeelConfiguration {
    /// This configuration as a scenario without a gateway rehearses it: each provider stood in for
    /// by a simulator of the same name (a simulated provider keeps its profile; the others get the
    /// default one), its routes' models and reliability policies as they are, and no keys, budgets,
    /// prompts, contracts, risk policies or monitors — what the route's other readiness checks look at.
    var simulated: KeelConfiguration {
        var copy = self
        copy.providers = providers.map { provider in
            var standIn = provider
            standIn.kind = .simulated
            return standIn
        }
        copy.routes = routes.map { route in
            var rehearsed = route
            rehearsed.prompt = nil
            rehearsed.contract = nil
            rehearsed.risk = nil
            rehearsed.review = nil
            rehearsed.evaluation = nil
            rehearsed.drift = nil
            return rehearsed
        }
        copy.keys = []
        copy.budgets = []
        return copy
    }
}
