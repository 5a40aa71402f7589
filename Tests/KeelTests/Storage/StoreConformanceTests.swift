import Foundation
import KeelCore
import KeelStore
import Synchronization
import Testing

/// Every storage port, the same tests on every backend: SQLite always, PostgreSQL when the suite
/// has a server (``TestBackend``). A store is not done until it passes them all.
@Suite struct StoreConformanceTests {
    static func record(
        _ id: String,
        at seconds: Double,
        route: String = "r",
        team: String? = "search",
        status: Int = 200,
        attempts: Int = 1
    )
        -> RequestRecord
    {
        var record = RequestRecord(
            id: id,
            startedAt: Date(timeIntervalSince1970: seconds),
            operation: "chat",
            keyID: "key_1",
            team: team,
            requestedModel: route,
            route: route,
            model: "m",
            provider: "p",
            stream: attempts == 2,
            status: status,
            errorCode: status == 200 ? nil : "upstream_error",
            errorMessage: status == 200 ? nil : "The upstream\tfailed\nto answer \\ at all",
            durationMs: 12.5,
            upstreamMs: 10,
            timeToFirstTokenMs: attempts == 2 ? 3.25 : nil,
            inputTokens: 5,
            outputTokens: 7,
            cachedInputTokens: 1,
            cost: Money(picodollars: 123),
            usageEstimated: attempts == 0,
            retryCost: attempts > 1 ? Money(picodollars: 17) : nil,
            promptTokens: 5,
            degraded: status == 200 && attempts == 0 ? "cache" : nil,
            replayOf: nil,
            workflowID: attempts == 2 ? "wf" : nil,
            requestBody: #"{"model":"r","é":"😀"}"#,
            attempts: (0..<attempts).map {
                AttemptRecord(
                    number: $0 + 1,
                    provider: "p",
                    model: "m",
                    startOffsetMs: 1,
                    durationMs: 2,
                    upstreamStatus: 200,
                    error: $0 == 0 ? nil : "timeout"
                )
            }
        )
        record.responseBody = nil
        record.finishReasons = status == 200 ? (attempts == 2 ? ["stop", "length"] : ["stop"]) : []
        if attempts == 1 {
            record.metadata = JSONObject([("segment", "vip"), ("amount", "12.50"), ("nested", ["a": [1, 2]])])
            record.signals = ContentSignals(inputScript: .cyrillic, refusal: false, answerJSON: status == 200 ? true : nil)
            record.evaluationRun = "run_1"
            record.riskTier = status == 200 ? .medium : .high
            record.api = .responses
        } else if attempts == 2 {
            record.api = .messages
            record.signals = ContentSignals(inputScript: nil, refusal: true)
        }
        return record
    }

    // MARK: keys

    @Test(arguments: TestBackend.available)
    func keysAreFoundByHashOrIdScopedByTeamRevokedAndExpire(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let search = APIKeySecret.generate()
            var expiring = search.key(name: "ci", role: .operator, team: "search", expiresAt: Date(timeIntervalSince1970: 2_000_000_000))
            expiring.createdAt = Date(timeIntervalSince1970: 1_800_000_000.25)  // a Date survives its seconds since 1970 exactly
            try await storage.keys.insert(expiring)
            let ads = APIKeySecret.generate().key(name: "ads-app", role: .app, team: "ads")
            let teamless = APIKeySecret.generate().key(name: "root", role: .admin)
            try await storage.keys.insert(ads)
            try await storage.keys.insert(teamless)
            #expect(try await storage.keys.key(hash: search.hash) == expiring, "every field comes back")
            #expect(try await storage.keys.key(hash: APIKeySecret.hash(search.value + "x")) == nil)
            #expect(try await storage.keys.key(id: ads.id)?.name == "ads-app")
            #expect(try await storage.keys.keys(in: .all).count == 3)
            #expect(try await storage.keys.keys(in: .team("search")).map(\.id) == [expiring.id])
            #expect(try await storage.keys.keys(in: .team(nil)).map(\.id) == [teamless.id])
            let now = Date(timeIntervalSince1970: 1_900_000_000)
            #expect(try await storage.keys.revoke(id: ads.id, at: now))
            #expect(try await !storage.keys.revoke(id: ads.id, at: now), "revoked once")
            #expect(try await !storage.keys.revoke(id: "key_nope", at: now))
            let revoked = try #require(try await storage.keys.key(id: ads.id))
            #expect(revoked.revokedAt == now && !revoked.isActive(at: now))
            #expect(expiring.isActive(at: now) && !expiring.isActive(at: Date(timeIntervalSince1970: 2_000_000_001)))
        }
    }

    // MARK: the request log, traffic and costs

    @Test(arguments: TestBackend.available)
    func theLogKeepsEveryFieldAndAttemptAndPagesNewestFirst(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let records = (0..<25).map {
                Self.record(
                    "req_\(String(format: "%02d", $0))",
                    at: Double($0),
                    route: $0 % 2 == 0 ? "even" : "odd",
                    team: $0 % 3 == 0 ? "ads" : "search",
                    status: $0 % 5 == 0 ? 502 : 200,
                    attempts: $0 % 3
                )
            }
            try await storage.log.append(records)
            let first = try await storage.log.requests(matching: RequestQuery(limit: 10))
            #expect(first.map(\.id) == records.suffix(10).reversed().map(\.id))
            let second = try await storage.log.requests(matching: RequestQuery(before: first.last?.id, limit: 10))
            #expect(second.map(\.id) == records.dropLast(10).suffix(10).reversed().map(\.id))
            for record in records {
                #expect(try await storage.log.requests(matching: RequestQuery(id: record.id, limit: 1)) == [record], "\(record.id) round trip")
            }
            #expect(try await storage.log.requests(matching: RequestQuery(route: "even", limit: 100)).count == 13)
            #expect(try await storage.log.requests(matching: RequestQuery(limit: 100, evaluationRun: "run_1")).count == 8)
            #expect(try await storage.log.requests(matching: RequestQuery(failedOnly: true, limit: 100)).count == 5)
            #expect(try await storage.log.requests(matching: RequestQuery(scope: .team("ads"), limit: 100)).count == 9)
            #expect(try await storage.log.requests(matching: RequestQuery(scope: .team(nil), limit: 100)).isEmpty)
            #expect(try await storage.log.requests(matching: RequestQuery(since: Date(timeIntervalSince1970: 20), limit: 100)).count == 5)

            let each = Money(picodollars: 123)
            #expect(try await storage.log.spend(since: .distantPast, keyIDs: nil, route: "even") == each * 13)
            #expect(try await storage.log.spend(since: Date(timeIntervalSince1970: 20), keyIDs: ["key_1"], route: nil) == each * 5)
            #expect(try await storage.log.spend(since: .distantPast, keyIDs: ["key_other"], route: nil) == .zero)
            #expect(try await storage.log.spend(since: .distantPast, keyIDs: [], route: nil) == .zero)

            let all = try await storage.traffic.trafficSamples(since: .distantPast, until: .distantFuture, in: .all)
            let ads = try await storage.traffic.trafficSamples(since: .distantPast, until: .distantFuture, in: .team("ads"))
            #expect(all.count == 25 && ads.count == 9 && all.filter(\.failed).count == 5 && all.allSatisfy { $0.tokens == 12 })
        }
    }

    @Test(arguments: TestBackend.available)
    func textWithNULCharactersIsKeptWithoutThem(on backend: TestBackend) async throws {
        // PostgreSQL's text refuses NUL and SQLite's reads stop at one; a client may put one in any
        // field. Every backend keeps the record, without its NULs.
        try await backend.withStorage { storage in
            func kept(_ text: String) -> String { text.replacingOccurrences(of: "\u{0}", with: "") }
            var record = Self.record("req_nul", at: 1)
            record.requestBody = "{\"content\":\"a\u{0}b\"}"
            record.requestedModel = "r\u{0}"
            try await storage.log.append([record])
            let stored = try #require(try await storage.log.requests(matching: RequestQuery(id: "req_nul", limit: 1)).first)
            #expect(stored.requestBody == kept(record.requestBody!) && stored.requestedModel == kept("r\u{0}"))
            let key = APIKeySecret.generate().key(name: "n\u{0}ul", role: .app)
            try await storage.keys.insert(key)
            #expect(try await storage.keys.key(id: key.id)?.name == kept(key.name))
        }
    }

    @Test(arguments: TestBackend.available)
    func costReportsSumByEveryGroupingWithinTheCallersTeam(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let key = APIKeySecret.generate().key(name: "ci", role: .app, team: "search")
            try await storage.keys.insert(key)
            let day = 1_763_596_800.0  // 2025-11-20
            var records: [RequestRecord] = []
            for (index, (route, team, dollars)) in [("chat", "search", 1.0), ("chat", "search", 2.0), ("summarize", "ads", 4.0)].enumerated() {
                var record = Self.record("req_\(index)", at: day + Double(index) * 86_400 / 2, route: route, team: team)
                record.keyID = team == "search" ? key.id : "key_ads"
                record.cost = Money(dollars: dollars)
                record.inputTokens = 100 * (index + 1)
                records.append(record)
            }
            try await storage.log.append(records)
            let period = (since: Date(timeIntervalSince1970: day), until: Date(timeIntervalSince1970: day + 3 * 86_400))
            let byRoute = try await storage.costs.report(by: .route, since: period.since, until: period.until)
            #expect(byRoute.lines.map(\.group) == ["summarize", "chat"] && byRoute.total.cost == Money(dollars: 7))
            let byKey = try await storage.costs.report(by: .key, since: period.since, until: period.until)
            #expect(Set(byKey.lines.map(\.group)) == ["ci", "key_ads"], "a known key by its name")
            let byDay = try await storage.costs.report(by: .day, since: period.since, until: period.until)
            #expect(byDay.lines.map(\.group) == ["2025-11-20", "2025-11-21"] && byDay.lines.map(\.cost) == [Money(dollars: 3), Money(dollars: 4)])
            let search = try await storage.costs.report(by: .team, since: period.since, until: period.until, in: .team("search"))
            #expect(search.lines.map(\.group) == ["search"] && search.total.cost == Money(dollars: 3), "another team's spend is not shown")
            let sizes = try await storage.costs.promptSizes(since: period.since, until: period.until, in: .all)
            #expect(sizes.map(\.route) == ["chat", "summarize"] && sizes.first?.inputTokens == 300)
        }
    }

    // MARK: idempotency

    @Test(arguments: TestBackend.available)
    func anIdempotencyKeyIsClaimedOnceAnsweredAndFreedWithItsReplica(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let key = IdempotencyKey(scope: "key_1", key: "k")
            let now = Date(timeIntervalSince1970: 1_000)
            let later = now.addingTimeInterval(3600)
            func claim(
                _ request: String,
                _ fingerprint: String = "f",
                replica: String = "rep_a",
                at time: Date = now
            ) async throws -> IdempotencyClaim {
                try await storage.idempotency.claim(key, fingerprint: fingerprint, requestID: request, replica: replica, now: time, expires: later)
            }
            // Twenty claims at once, from two replicas: exactly one wins.
            let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                for index in 0..<20 { group.addTask { try await claim("req_\(index)", replica: index % 2 == 0 ? "rep_a" : "rep_b") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { if case .claimed = $0 { true } else { false } }.count == 1)
            #expect(claims.filter { if case .running = $0 { true } else { false } }.count == 19)
            guard case .mismatch = try await claim("req_x", "other") else { throw TestDatabaseError("another body is a mismatch") }
            try await storage.idempotency.release(key)
            guard case .claimed = try await claim("req_1") else { throw TestDatabaseError("a released key is free") }
            let answer = StoredResponse.completion(
                ChatCompletion(id: "c", created: 1, model: "m", contents: ["hi"], finishReason: "stop", usage: nil)
            )
            try await storage.idempotency.answer(key, with: answer)
            guard case .answered(let stored, let original) = try await claim("req_2") else { throw TestDatabaseError("answered") }
            #expect(original == "req_1" && stored.json == answer.json)
            guard case .claimed = try await claim("req_3", at: later.addingTimeInterval(1)) else { throw TestDatabaseError("an expired key is free") }
            // The replica that holds it stops: only its own expiry frees it.
            try await storage.idempotency.interruptKeys(of: "rep_b", now: now)
            guard case .running = try await claim("req_4") else { throw TestDatabaseError("another replica's lease does not free it") }
            try await storage.idempotency.interruptKeys(of: "rep_a", now: now)
            guard case .claimed = try await claim("req_5", replica: "rep_b") else { throw TestDatabaseError("its replica's expiry frees it") }
        }
    }

    // MARK: workflows

    @Test(arguments: TestBackend.available)
    func workflowStepsGetDistinctNumbersAcrossReplicasAndOnlyTheirReplicaInterruptsThem(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let ref = WorkflowRef(keyID: "key_1", id: "wf")
            let started = Date(timeIntervalSince1970: 1_000)
            func step(_ request: String) -> WorkflowStep {
                WorkflowStep(
                    workflow: ref,
                    requestID: request,
                    input: [JSONObject([("role", "user"), ("content", .string(request))])],
                    startedAt: started
                )
            }
            let numbers = try await withThrowingTaskGroup(of: Int?.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await storage.workflows.beginStep(
                            step("req_\(index)"),
                            team: "search",
                            route: "r",
                            replica: index % 2 == 0 ? "rep_a" : "rep_b"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(numbers.compactMap { $0 }.sorted() == Array(1...12), "twelve steps at once, twelve numbers")
            let workflow = try #require(try await storage.workflows.workflow(ref))
            #expect(workflow.team == "search" && workflow.route == "r" && workflow.status == .open)
            #expect(try await storage.workflows.workflow(WorkflowRef(keyID: "key_2", id: "wf")) == nil, "another key's id is another workflow")

            var answered = try #require(try await storage.workflows.steps(of: ref).first { $0.requestID == "req_0" }, "one of rep_a's")
            answered.status = .completed
            answered.output = JSONObject([("role", "assistant"), ("content", "answer")])
            answered.usage = TokenUsage(inputTokens: 3, outputTokens: 4)
            answered.cost = Money(picodollars: 99)
            answered.attempts = 2
            answered.finishedAt = started.addingTimeInterval(1)
            try await storage.workflows.finishStep(answered)
            #expect(try await storage.workflows.steps(of: ref).first { $0.requestID == "req_0" } == answered, "a finished step comes back whole")
            let history = try #require(try await storage.workflows.history(of: ref)?.history)
            #expect(history.turns.count == 1 && history.turns[0].messages.count == 2, "a completed step's input and answer")
            try await storage.workflows.saveSummary("so far", of: ref, throughStep: 1, now: started)
            #expect(try await storage.workflows.history(of: ref)?.history.summary == WorkflowHistory.Summary(text: "so far", throughStep: 1))

            #expect(try await storage.workflows.interruptSteps(of: "rep_a") == 5, "the six of rep_a but the finished one")
            let statuses = try await storage.workflows.steps(of: ref).map(\.status)
            #expect(statuses.filter { $0 == .interrupted }.count == 5 && statuses.filter { $0 == .running }.count == 6)

            #expect(try await storage.workflows.workflows(id: nil, status: .open, limit: 10, in: .team("ads")).isEmpty)
            #expect(try await storage.workflows.workflows(id: "wf", status: nil, limit: 10, in: .team("search")).count == 1)
            #expect(try await storage.workflows.complete(ref, now: started)?.status == .completed)
            #expect(try await storage.workflows.beginStep(step("late"), team: "search", route: "r", replica: "rep_a") == nil, "a completed workflow")
            let tallies = try await storage.workflows.tallies(since: .distantPast, until: .distantFuture, in: .all)
            #expect(tallies.count == 1 && tallies[0].steps == 12 && tallies[0].failedSteps == 5 && tallies[0].upstreamRetries == 1)
            #expect(try await storage.workflows.tallies(since: .distantPast, until: .distantFuture, in: .team("ads")).isEmpty)
        }
    }

    // MARK: budgets

    @Test(arguments: TestBackend.available)
    func budgetReservationsAreAllOrNoneAndNeverPassALimitUnderConcurrency(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let team = BudgetAccount(budget: "team:search:day", windowStart: Date(timeIntervalSince1970: 86_400))
            let route = BudgetAccount(budget: "route:r:total", windowStart: Date(timeIntervalSince1970: 0))
            try await storage.budgets.open(team, opening: Money(dollars: 1))
            try await storage.budgets.open(team, opening: Money(dollars: 50))
            try await storage.budgets.open(route, opening: .zero)
            #expect(try await storage.budgets.balances(of: [team])[team]?.settled == Money(dollars: 1), "opened once")

            // 60 reservations of $1 at once against $10 (team, $1 already spent) and $30 (route): nine fit.
            let outcomes = try await withThrowingTaskGroup(of: BudgetReservationOutcome.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        try await storage.budgets.reserve(
                            id: "req_\(index)",
                            amount: Money(dollars: 1),
                            against: [(route, Money(dollars: 30)), (team, Money(dollars: 10))],
                            replica: index % 2 == 0 ? "rep_a" : "rep_b"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let reserved = outcomes.filter { if case .reserved = $0 { true } else { false } }
            #expect(reserved.count == 9)
            #expect(outcomes.allSatisfy { if case .refused(let index, _) = $0 { index == 1 } else { true } }, "the team's budget refused")
            let balances = try await storage.budgets.balances(of: [team, route])
            #expect(balances[team] == BudgetBalance(settled: Money(dollars: 1), reserved: Money(dollars: 9)))
            #expect(balances[route]?.reserved == Money(dollars: 9), "refused reservations took nothing from the route either")

            var settled: [(before: Money, after: BudgetBalance)] = []
            for index in 0..<60 {
                let result = try await storage.budgets.settle(id: "req_\(index)", cost: Money(dollars: 0.5))
                if !result.isEmpty { settled = result }
            }
            #expect(settled.count == 2 && settled[1].after.reserved == .zero)
            #expect(try await storage.budgets.balances(of: [team])[team]?.settled == Money(dollars: 5.5))
            #expect(try await storage.budgets.settle(id: "req_0", cost: Money(dollars: 1)).isEmpty, "settled once")

            _ = try await storage.budgets.reserve(id: "held", amount: Money(dollars: 2), against: [(route, Money(dollars: 30))], replica: "rep_gone")
            #expect(try await storage.budgets.releaseReservations(of: "rep_gone") == 1)
            #expect(try await storage.budgets.balances(of: [route])[route]?.reserved == .zero)
        }
    }

    // MARK: rate limits, sessions, replicas, schema

    @Test(arguments: TestBackend.available)
    func replicasShareRunningRateTotals(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            #expect(try await storage.rateLimits.exchange(["key_1": RateConsumption(requests: 3, tokens: 30)], replica: "rep_a").isEmpty)
            _ = try await storage.rateLimits.exchange(["key_1": RateConsumption(requests: 2, tokens: 20)], replica: "rep_a")
            let seenByB = try await storage.rateLimits.exchange(["key_2": RateConsumption(requests: 1, tokens: 1)], replica: "rep_b")
            #expect(seenByB == ["key_1": ["rep_a": RateConsumption(requests: 5, tokens: 50)]])
            let seenByA = try await storage.rateLimits.exchange([:], replica: "rep_a")
            #expect(seenByA == ["key_2": ["rep_b": RateConsumption(requests: 1, tokens: 1)]])
        }
    }

    @Test(arguments: TestBackend.available)
    func sessionsEndBySignOutRevocationOrExpiry(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let now = Date(timeIntervalSince1970: 1_000)
            for (hash, key, hours) in [("h1", "key_1", 1.0), ("h2", "key_1", 2.0), ("h3", "key_2", 0.5)] {
                try await storage.sessions.insert(
                    DashboardSession(hash: hash, keyID: key, createdAt: now, expiresAt: now.addingTimeInterval(hours * 3600))
                )
            }
            #expect(try await storage.sessions.session(hash: "h1")?.keyID == "key_1")
            try await storage.sessions.delete(hash: "h1")
            #expect(try await storage.sessions.session(hash: "h1") == nil)
            try await storage.sessions.deleteExpired(before: now.addingTimeInterval(3600))
            #expect(try await storage.sessions.session(hash: "h3") == nil)
            #expect(try await storage.sessions.session(hash: "h2") != nil)
            try await storage.sessions.deleteSessions(of: "key_1")
            #expect(try await storage.sessions.session(hash: "h2") == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func leasesAreRenewedExpireAndAreRemoved(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let now = Date(timeIntervalSince1970: 1_000)
            var lease = ReplicaLease(id: "rep_a", host: "h", processID: 7, startedAt: now, expiresAt: now.addingTimeInterval(10))
            try await storage.replicas.renew(lease)
            try await storage.replicas.renew(ReplicaLease(id: "rep_b", host: "h", processID: 8, startedAt: now, expiresAt: now.addingTimeInterval(5)))
            #expect(try await storage.replicas.expired(at: now.addingTimeInterval(6)) == ["rep_b"])
            lease.expiresAt = now.addingTimeInterval(20)
            try await storage.replicas.renew(lease)
            #expect(try await storage.replicas.live(at: now.addingTimeInterval(15)).map(\.id) == ["rep_a"])
            try await storage.replicas.remove("rep_b")
            #expect(try await storage.replicas.expired(at: now.addingTimeInterval(100)) == ["rep_a"])
        }
    }

    @Test(arguments: TestBackend.available)
    func theSchemaIsUpToDateOnceOpenedByReplicasStartingAtOnce(on backend: TestBackend) async throws {
        try await backend.withConfiguration { configuration in
            // Replicas of a new deployment start together: each migrates, none fails.
            let opened = try await withThrowingTaskGroup(of: [SchemaMigration].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await KeelStorage.with(configuration, logger: TestBackend.quiet) { try await $0.schema.migrations() } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(opened.count == 4)
            for migrations in opened { #expect(!migrations.isEmpty && migrations.allSatisfy(\.applied), "\(migrations)") }
        }
    }
    // MARK: prompts

    static func template(_ text: String) throws -> PromptTemplate {
        try PromptTemplate(messages: [PromptTemplate.Message(role: "system", content: text)], variables: [PromptVariable(name: "topic")])
    }

    @Test(arguments: TestBackend.available)
    func promptVersionsAreNumberedOncePerContentAndLabelsMoveWithTheirHistory(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let triage = RegistryName(team: "search", name: "triage")
            let now = Date(timeIntervalSince1970: 1_000)
            let first = try await storage.prompts.push(try Self.template("Sort {{topic}}."), as: triage, tokens: 4, by: "ci", at: now)
            #expect(first.created && first.version.number == 1 && first.version.createdBy == "ci")
            let again = try await storage.prompts.push(try Self.template("Sort {{topic}}."), as: triage, tokens: 4, by: "other", at: now)
            #expect(!again.created && again.version == first.version, "the same content is the same version")
            // Ten replicas push ten contents and one shared content at once: eleven versions, numbered 2…12.
            let pushed = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<20 {
                    let text = index < 10 ? "Variant \(index) of {{topic}}." : "Shared {{topic}}."
                    group.addTask {
                        let result = try await storage.prompts.push(try Self.template(text), as: triage, tokens: 5, by: nil, at: now)
                        return (result.version.number, result.created)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = pushed.filter(\.1).map(\.0).sorted()
            #expect(created == Array(2...12), "\(created)")
            #expect(Set(pushed.filter { !$0.1 }.map(\.0)).count == 1, "every repeat of the shared content got its one version")
            let versions = try await storage.prompts.versions(of: triage)
            #expect(versions.map(\.number) == Array(1...12) && Set(versions.map(\.contentHash)).count == 12)
            #expect(try await storage.prompts.version(1, of: triage) == first.version, "a version comes back whole")

            #expect(try await storage.prompts.moveLabel("production", of: triage, to: 1, by: "ci", reason: nil, at: now) == nil)
            #expect(try await storage.prompts.moveLabel("production", of: triage, to: 3, by: "ci", reason: "better", at: now) == 1)
            await #expect(throws: KeelError.self) {
                try await storage.prompts.moveLabel("production", of: triage, to: 99, by: "ci", reason: nil, at: now)
            }
            try await storage.prompts.recordRefusal("production", of: triage, version: 4, by: "ci", reason: "high-risk fell to 60 %", at: now)
            #expect(try await storage.prompts.labels(of: triage) == ["production": 3], "a refusal moves nothing")
            #expect(try await storage.prompts.number(.latest, in: triage) == 12)
            #expect(try await storage.prompts.number(.label("production"), in: triage) == 3)
            #expect(try await storage.prompts.number(.version(7), in: triage) == 7)
            #expect(try await storage.prompts.number(.version(13), in: triage) == nil)
            #expect(try await storage.prompts.number(.label("staging"), in: triage) == nil)
            #expect(try await storage.prompts.number(.latest, in: RegistryName(team: "ads", name: "triage")) == nil, "another team's name")
            let history = try await storage.prompts.history(of: triage)
            #expect(history.filter { $0.kind == .pushed }.count == 12)
            let moves = history.filter { $0.kind != .pushed }
            #expect(moves.map(\.kind) == [.labelled, .labelled, .refused])
            #expect(moves[1].previous == 1 && moves[1].reason == "better" && moves[2].reason == "high-risk fell to 60 %")

            // Teams: each sees its own prompts and the shared ones, never another team's.
            _ = try await storage.prompts.push(
                try Self.template("Ads {{topic}}."),
                as: RegistryName(team: "ads", name: "triage"),
                tokens: 3,
                by: nil,
                at: now
            )
            _ = try await storage.prompts.push(
                try Self.template("All {{topic}}."),
                as: RegistryName(team: nil, name: "shared"),
                tokens: 3,
                by: nil,
                at: now
            )
            let search = try await storage.prompts.prompts(in: .team("search"))
            #expect(search.map(\.prompt) == [RegistryName(team: nil, name: "shared"), triage])
            #expect(search.last?.latest == 12 && search.last?.labels == ["production": 3])
            #expect(try await storage.prompts.prompts(in: .all).count == 3)
            #expect(try await storage.prompts.versions(of: RegistryName(team: "ads", name: "triage")).count == 1)
        }
    }
    // MARK: datasets

    @Test(arguments: TestBackend.available)
    func datasetVersionsKeepTheirCasesInOrderOncePerContent(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let gate = RegistryName(team: "search", name: "triage-gate")
            let now = Date(timeIntervalSince1970: 1_000)
            let cases = (0..<300).map { index -> EvaluationCase in
                let ticket: JSONValue = .string("Ticket \(index): «refund» \t\n")
                let structured: JSONValue = .object(JSONObject([("queue", "tech"), ("priority", .integer(Int64(index)))]))
                return EvaluationCase(
                    id: "case-\(index)",
                    variables: JSONObject([("ticket", ticket)]),
                    expected: index % 2 == 0 ? .string("billing") : structured,
                    category: index % 3 == 0 ? "refunds" : "other",
                    riskTier: index % 10 == 0 ? .high : .low,
                    weight: index % 7 == 0 ? 2.5 : 1
                )
            }
            let first = try await storage.datasets.push(cases, as: gate, by: "ci", at: now)
            #expect(first.created && first.version.number == 1 && first.version.caseCount == 300)
            #expect(try await !storage.datasets.push(cases, as: gate, by: "ci", at: now).created, "the same cases are the same version")
            let second = try await storage.datasets.push(Array(cases.reversed()), as: gate, by: nil, at: now)
            #expect(second.created && second.version.number == 2, "another order is another version")
            #expect(try await storage.datasets.cases(of: gate, version: 1) == cases, "every case comes back whole, in order")
            #expect(try await storage.datasets.cases(of: gate, version: 2).first?.id == "case-299")
            #expect(try await storage.datasets.versions(of: gate).map(\.number) == [1, 2])
            _ = try await storage.datasets.push(Array(cases.prefix(2)), as: RegistryName(team: "ads", name: "ads-set"), by: nil, at: now)
            let visible = try await storage.datasets.datasets(in: .team("search"))
            #expect(visible.map(\.dataset) == [gate] && visible.first?.number == 2, "the latest version, of the team's own datasets")
        }
    }

    @Test(arguments: TestBackend.available)
    func evaluationRunsKeepEachCasesFirstResultAndListNewestFirstByTeam(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let plan = EvaluationPlan(
                dataset: "tickets",
                scorers: [.label(path: "queue"), .jsonSchema(["type": "object"]), .judge(route: "judge", rubric: "Polite «and» right.")],
                maximumLatencyMs: 2_000,
                maximumCost: Money(dollars: 0.01),
                gate: [GateCondition(scope: .tier(.high), minimumPassRate: 0.95), GateCondition(scope: .overall, maximumDrop: 0.02)]
            )
            func run(_ id: String, team: String?, prompt: String?, at seconds: Double) -> EvaluationRun {
                EvaluationRun(
                    id: id,
                    team: team,
                    prompt: prompt.map { RegistryName(team: team, name: $0) },
                    promptVersion: prompt == nil ? nil : 3,
                    dataset: RegistryName(team: nil, name: "tickets"),
                    datasetVersion: 2,
                    route: "support",
                    plan: plan,
                    caseCount: 3,
                    startedAt: Date(timeIntervalSince1970: seconds),
                    createdBy: "ci"
                )
            }
            let first = run("eval_1", team: "search", prompt: "triage", at: 1_000)
            for item in [first, run("eval_2", team: "search", prompt: nil, at: 2_000), run("eval_3", team: "ads", prompt: "triage", at: 3_000)] {
                try await storage.evaluations.createRun(item)
            }
            #expect(try await storage.evaluations.run(id: "eval_1") == first, "every field and the plan come back")
            #expect(try await storage.evaluations.run(id: "eval_9") == nil)
            #expect(try await storage.evaluations.runs(in: .team("search"), prompt: nil, limit: 10).map(\.id) == ["eval_2", "eval_1"])
            #expect(try await storage.evaluations.runs(in: .all, prompt: nil, limit: 2).map(\.id) == ["eval_3", "eval_2"])
            let triage = RegistryName(team: "search", name: "triage")
            #expect(try await storage.evaluations.runs(in: .all, prompt: triage, limit: 10).map(\.id) == ["eval_1"])

            let at = Date(timeIntervalSince1970: 1_500.25)
            let passed = EvaluationResult(
                caseID: "c-1",
                outcome: .passed,
                answer: "{\"queue\": \"billing\"} ✓",
                scores: [
                    Score(scorer: "label", passed: true, predicted: "billing", expected: "billing"), Score(scorer: "judge", passed: true, value: 0.9),
                ],
                requestID: "req_1",
                latencyMs: 812.5,
                cost: Money(picodollars: 1_234_567),
                scoringCost: Money(picodollars: 89),
                tokens: 321,
                finishedAt: at
            )
            let failed = EvaluationResult(caseID: "c-2", outcome: .error, error: "upstream_timeout: no answer", latencyMs: 30_000, finishedAt: at + 1)
            #expect(try await storage.evaluations.record([passed], run: "eval_1") == 1)
            #expect(try await storage.evaluations.record([failed, passed], run: "eval_1") == 1, "in one batch, the case already kept is left")
            var again = failed
            again.outcome = .passed
            #expect(try await storage.evaluations.record([again], run: "eval_1") == 0, "a case's first result stands")
            #expect(try await storage.evaluations.record([failed], run: "eval_2") == 1, "another run's case is another result")
            #expect(try await storage.evaluations.results(of: "eval_1") == [passed, failed])
            #expect(try await storage.evaluations.results(of: "eval_9").isEmpty)
            try await storage.evaluations.finish(run: "eval_1", at: at + 2)
            #expect(try await storage.evaluations.run(id: "eval_1")?.finishedAt == at + 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func feedbackIsFoundByRequestWithinTheTeamAndListedNewestFirst(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let first = Feedback(
                requestID: "req_1",
                team: "search",
                keyID: "key_1",
                score: 0,
                label: "wrong «queue»",
                correction: ["queue": "billing", "notes": ["a", 1]],
                comment: "was fraud",
                createdAt: Date(timeIntervalSince1970: 100)
            )
            let second = Feedback(requestID: "req_1", team: "search", keyID: "key_1", score: 1, createdAt: Date(timeIntervalSince1970: 200))
            let other = Feedback(
                requestID: "req_2",
                team: "ads",
                keyID: "key_2",
                correction: "Plain text.",
                createdAt: Date(timeIntervalSince1970: 300)
            )
            for item in [second, other, first] { try await storage.feedback.insert(item) }
            #expect(
                try await storage.feedback.feedback(on: ["req_1", "req_2"], in: .team("search")) == [first, second],
                "oldest first, the team's own"
            )
            #expect(try await storage.feedback.feedback(on: ["req_2"], in: .all) == [other])
            #expect(try await storage.feedback.feedback(on: [], in: .all).isEmpty)
            #expect(try await storage.feedback.recentFeedback(in: .all, limit: 2) == [other, second])
            #expect(try await storage.feedback.recentFeedback(in: .team("ads"), limit: 10) == [other])
        }
    }

    @Test(arguments: TestBackend.available)
    func driftWindowsMergeTheReplicasPartsAndAWindowKeepsItsFirstJudgement(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let hour = Date(timeIntervalSince1970: 3_600 * 100)
            func part(_ start: Date, _ tokens: [JSONValue], _ reasons: [JSONValue]) -> DriftRollup.Window {
                DriftRollup.Window(route: "chat", start: start, requests: tokens.count, columns: ["input_tokens": tokens, "finish_reason": reasons])
            }
            try await storage.drift.saveWindow(part(hour, [10, 20.5], ["stop", "length"]), replica: "rep_a")
            try await storage.drift.saveWindow(part(hour, [30, .null], ["stop", "«stop»"]), replica: "rep_b")
            try await storage.drift.saveWindow(part(hour + 3_600, [40], ["stop"]), replica: "rep_a")
            try await storage.drift.saveWindow(
                DriftRollup.Window(route: "other", start: hour, requests: 1, columns: ["input_tokens": [1]]),
                replica: "rep_a"
            )
            let parts = try await storage.drift.windowParts(route: "chat", since: hour, until: hour + 7_200)
            #expect(parts.count == 3 && Set(parts.map(\.route)) == ["chat"])
            let windows = DriftRollup.Window.merging(parts)
            #expect(windows.map(\.start) == [hour, hour + 3_600] && windows.map(\.requests) == [4, 1])
            let tokens = Set((windows[0].columns["input_tokens"] ?? []).map(\.jsonString))
            #expect(
                tokens == ["10", "20.5", "30", "null"] && windows[0].columns["finish_reason"]?.count == 4,
                "every replica's values, whatever the order"
            )
            #expect(try await storage.drift.windowParts(route: "chat", since: hour + 1, until: hour + 3_600).isEmpty)

            let finding = DriftTracker.Finding(feature: "input_tokens", test: .wasserstein, value: 0.23, threshold: 0.1, drifted: true, streak: 2)
            let first = DriftJudgementRecord(
                route: "chat",
                windowStart: hour,
                state: .drifting,
                calm: 0,
                findings: [finding],
                alerts: ["input_tokens"],
                judgedAt: hour + 4_000
            )
            #expect(try await storage.drift.saveJudgement(first))
            var second = first
            second.state = .ok
            #expect(try await !storage.drift.saveJudgement(second), "the first replica to judge a window wins")
            let later = DriftJudgementRecord(
                route: "chat",
                windowStart: hour + 3_600,
                state: .drifting,
                calm: 1,
                findings: [],
                alerts: [],
                judgedAt: hour + 8_000
            )
            try await storage.drift.saveJudgement(later)
            #expect(try await storage.drift.judgements(route: "chat", limit: 10) == [later, first])
            #expect(try await storage.drift.judgements(route: "other", limit: 10).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func aPromptsVersionsGetTheirCostsAndFeedbackScores(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let records = (0..<6).map { index in
                var record = Self.record("req_p\(index)", at: 1_000 + Double(index))
                record.promptName = index < 5 ? "triage" : "other"
                record.promptVersion = index < 2 ? 1 : 2
                return record
            }
            try await storage.log.append(records)
            for (index, score) in [(0, 1.0), (1, 0.0), (2, 0.5), (3, 1.0), (5, 0.0)] {
                try await storage.feedback.insert(
                    Feedback(requestID: "req_p\(index)", team: "search", keyID: nil, score: score, createdAt: Date(timeIntervalSince1970: 2_000))
                )
            }
            try await storage.feedback.insert(
                Feedback(requestID: "req_p4", team: "search", keyID: nil, label: "unscored", createdAt: Date(timeIntervalSince1970: 2_000))
            )
            let scores = try await storage.feedback.scores(of: "triage", since: Date(timeIntervalSince1970: 0))
            #expect(scores.map(\.version) == [1, 2] && scores.map(\.count) == [2, 2] && scores.map(\.mean) == [0.5, 0.75])
            #expect(try await storage.feedback.scores(of: "triage", since: Date(timeIntervalSince1970: 5_000)).isEmpty)
            let lines = try await storage.costs.costs(
                by: .prompt,
                since: Date(timeIntervalSince1970: 0),
                until: Date(timeIntervalSince1970: 9_999),
                in: .all
            )
            let requests = Dictionary(uniqueKeysWithValues: lines.compactMap { line in line.group.map { ($0, line.requests) } })
            #expect(requests == ["triage@1": 2, "triage@2": 3, "other@2": 1])
        }
    }

    // MARK: the Responses API's kept responses

    @Test(arguments: TestBackend.available)
    func keptResponsesAreTheirKeysAloneAndAConversationContinuesFromItsLatestCompletedOne(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            func saved(_ id: String, key: String = "key_a", conversation: String = "conv_1", at seconds: Double, status: String) -> SavedResponse {
                SavedResponse(
                    id: id,
                    keyID: key,
                    team: "search",
                    conversation: conversation,
                    requestID: "req_" + id.dropFirst(5),
                    createdAt: Date(timeIntervalSince1970: seconds),
                    object: JSONObject([("id", .string(id)), ("status", .string(status)), ("output", [["text": "é😀\u{0}"]])])
                )
            }
            let first = saved("resp_1", at: 1, status: "completed")
            try await storage.responses.save(first)
            try await storage.responses.save(saved("resp_2", at: 2, status: "incomplete"))
            try await storage.responses.save(saved("resp_3", at: 3, status: "failed"))
            try await storage.responses.save(saved("resp_9", conversation: "conv_2", at: 9, status: "completed"))
            try await storage.responses.save(saved("resp_1", key: "key_b", at: 5, status: "completed"))
            var stored = try #require(try await storage.responses.response("resp_1", keyID: "key_a"))
            #expect(stored.conversation == "conv_1" && stored.requestID == "req_1" && stored.createdAt == first.createdAt)
            #expect(stored.object == first.object, "the object comes back whole, a NUL in it escaped as JSON escapes it")
            #expect(try await storage.responses.response("resp_9", keyID: "key_b") == nil, "another key's response is not found")
            #expect(
                try await storage.responses.latestCompleted(conversation: "conv_1", keyID: "key_a") == "resp_2",
                "a failed turn is not continued from"
            )
            #expect(try await storage.responses.latestCompleted(conversation: "conv_1", keyID: "key_c") == nil)
            // Saving an id again replaces it: a stream that failed after its first save.
            try await storage.responses.save(saved("resp_3", at: 3, status: "completed"))
            #expect(try await storage.responses.latestCompleted(conversation: "conv_1", keyID: "key_a") == "resp_3")
            stored = try #require(try await storage.responses.response("resp_3", keyID: "key_a"))
            #expect(stored.status == "completed")
            #expect(try await storage.responses.delete("resp_3", keyID: "key_a"))
            #expect(try await !storage.responses.delete("resp_3", keyID: "key_a"), "deleted once")
            #expect(try await !storage.responses.delete("resp_1", keyID: "key_c"))
            #expect(try await storage.responses.response("resp_3", keyID: "key_a") == nil)
            #expect(try await storage.responses.response("resp_1", keyID: "key_b") != nil, "the same id of another key stays")
        }
    }

    // MARK: quarantine

    @Test(arguments: TestBackend.available)
    func quarantinedRequestsAreKeptListedWithinTheTeamAndReplayedOnce(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let problems = [
                ContractProblem(field: "/amount", code: .invalidAmount, message: "is not an amount."),
                ContractProblem(field: "", code: .duplicate, message: "was sent before.", rejects: true),
            ]
            let requests = (0..<4).map { index in
                QuarantinedRequest(
                    route: index == 3 ? "other" : "claims",
                    team: index == 2 ? "ads" : "search",
                    keyID: "key_\(index)",
                    receivedAt: Date(timeIntervalSince1970: 1_900_000_000 + Double(index)),
                    body: #"{"model":"claims","variables":{"amount":"lots","é":"😀"}}"#,
                    problems: problems
                )
            }
            for request in requests { try await storage.quarantine.quarantine(request) }
            let stored = try #require(try await storage.quarantine.quarantined(id: requests[0].id))
            #expect(stored.body == requests[0].body && stored.problems.map(\.field) == ["/amount", ""] && stored.problems[0].code == .invalidAmount)
            #expect(stored.status == .held && stored.team == "search" && stored.receivedAt == requests[0].receivedAt)
            let claims = try await storage.quarantine.quarantined(route: "claims", status: nil, in: .all, limit: 10)
            #expect(claims.map(\.id) == [requests[2].id, requests[1].id, requests[0].id], "newest first")
            #expect(try await storage.quarantine.quarantined(route: nil, status: nil, in: .team("search"), limit: 10).count == 3)
            #expect(try await storage.quarantine.quarantined(route: nil, status: nil, in: .team("ads"), limit: 10).map(\.id) == [requests[2].id])
            let at = Date(timeIntervalSince1970: 1_900_000_100)
            #expect(try await storage.quarantine.markReplayed(id: requests[0].id, as: "req_new", at: at))
            #expect(try await !storage.quarantine.markReplayed(id: requests[0].id, as: "req_again", at: at), "replayed once")
            let replayed = try await storage.quarantine.quarantined(route: "claims", status: .replayed, in: .all, limit: 10)
            #expect(replayed.map(\.replayedAs) == ["req_new"] && replayed.first?.resolvedAt == at)
            #expect(try await storage.quarantine.quarantined(route: "claims", status: .held, in: .all, limit: 10).count == 2)
            #expect(try await storage.quarantine.quarantined(id: "qr_nope") == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func aDedupeKeyIsHeldByOneRequestUntilItExpiresOrIsGivenBack(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let now = Date(timeIntervalSince1970: 1_900_000_000)
            let later = now.addingTimeInterval(3_600)
            #expect(try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_a", expiresAt: later, now: now) == nil)
            #expect(try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_b", expiresAt: later, now: now) == "req_a")
            #expect(
                try await storage.quarantine.claimKey(route: "other", key: "k1", requestID: "req_c", expiresAt: later, now: now) == nil,
                "per route"
            )
            try await storage.quarantine.releaseKey(route: "claims", key: "k1", requestID: "req_b")
            #expect(
                try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_b", expiresAt: later, now: now) == "req_a",
                "only the holder gives it back"
            )
            try await storage.quarantine.releaseKey(route: "claims", key: "k1", requestID: "req_a")
            #expect(try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_d", expiresAt: later, now: now) == nil)
            #expect(
                try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_e", expiresAt: later, now: later) == nil,
                "an expired claim is taken over"
            )
            #expect(try await storage.quarantine.claimKey(route: "claims", key: "k1", requestID: "req_f", expiresAt: later, now: now) == "req_e")
        }
    }

    // MARK: reviews

    static func review(_ index: Int, team: String? = "search", route: String = "claims", at seconds: Double = 0) -> Review {
        let created = Date(timeIntervalSince1970: 1_900_000_000 + seconds + Double(index))
        return Review(
            kind: index == 3 ? .contest : .hold,
            requestID: "req_\(index)",
            route: route,
            team: team,
            keyID: "key_app",
            tier: index == 3 ? .low : .high,
            category: "refund",
            reasons: ["amount >= 1000"],
            request: JSONObject([("model", "claims"), ("metadata", ["amount": 5_000, "note": "é 😀"])]),
            answer: ChatCompletion(id: "chatcmpl-\(index)", created: 1, model: "m", contents: ["Pay."], finishReason: "stop", usage: nil),
            stream: index == 1,
            createdAt: created,
            dueAt: created.addingTimeInterval(60),
            contestReason: index == 3 ? "wrong" : nil
        )
    }

    @Test(arguments: TestBackend.available)
    func reviewsAreHeldClaimedAndDecidedOnceAndListedByStatusWithinTheTeam(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let store = storage.reviews
            let reviews = (0..<4).map { Self.review($0, team: $0 == 2 ? "ads" : "search") }
            for review in reviews { try await store.holdReview(review) }
            let now = Date(timeIntervalSince1970: 1_900_000_010)
            let stored = try #require(try await store.review(id: reviews[1].id))
            #expect(stored == reviews[1], "every field kept")
            #expect(try await store.reviews(ofRequest: "req_3").map(\.kind) == [.contest])
            #expect(
                try await store.heldReviews(ofKey: "key_app", limit: 10).map(\.id) == [2, 1, 0].map { reviews[$0].id },
                "its holds, not the contest"
            )
            #expect(try await store.reviews(statuses: [], in: .team("search"), now: now, limit: 10).map(\.id) == [3, 1, 0].map { reviews[$0].id })

            let until = now.addingTimeInterval(60)
            #expect(try await store.claimReview(id: reviews[0].id, reviewer: "ana", expiresAt: until, now: now)?.claim?.reviewer == "ana")
            #expect(try await store.claimReview(id: reviews[0].id, reviewer: "bo", expiresAt: until, now: now) == nil, "one holder")
            #expect(try await store.claimReview(id: reviews[0].id, reviewer: "ana", expiresAt: until, now: now) != nil, "the holder renews")
            let bo = ReviewDecision(verdict: .approved, reviewer: "bo", decidedAt: now)
            #expect(try await store.decideReview(id: reviews[0].id, decision: bo, now: now) == nil, "not while another holds it")
            #expect(try await store.reviews(statuses: [.claimed], in: .all, now: now, limit: 10).map(\.id) == [reviews[0].id])
            #expect(try await store.reviews(statuses: [.pending], in: .all, now: until, limit: 10).count == 4, "a lapsed claim is pending again")
            let decided = try await store.decideReview(id: reviews[0].id, decision: bo, now: until)
            #expect(decided?.decision == bo && decided?.claim == nil, "decided once the claim lapsed")
            let edit = ReviewDecision(verdict: .edited, reviewer: "ana", decidedAt: now, reason: "policy", edit: "Pay 900.")
            #expect(try await store.decideReview(id: reviews[0].id, decision: edit, now: until) == nil, "decided once")
            #expect(try await store.decideReview(id: reviews[1].id, decision: edit, now: now)?.released?.content == "Pay 900.")
            #expect(
                try await store.reviews(statuses: [.approved, .edited], in: .all, now: now, limit: 10).map(\.id) == [reviews[1].id, reviews[0].id]
            )
            #expect(try await store.reviews(statuses: [.pending], in: .team("ads"), now: now, limit: 10).map(\.id) == [reviews[2].id])

            #expect(try await !store.markDelivered(id: reviews[2].id, at: now), "an undecided review is not delivered")
            #expect(try await store.markDelivered(id: reviews[0].id, at: now))
            #expect(try await !store.markDelivered(id: reviews[0].id, at: now), "delivered once")
            #expect(try await store.review(id: "rev_nope") == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func overdueReviewsEscalateOnceAndACallbackIsLeasedToOneSenderAtATime(on backend: TestBackend) async throws {
        try await backend.withStorage { storage in
            let store = storage.reviews
            var waited = Self.review(0)
            waited.deliveryLease = waited.createdAt.addingTimeInterval(30)
            let reviews = [waited, Self.review(1), Self.review(2, route: "other")]
            for review in reviews { try await store.holdReview(review) }
            let late = Date(timeIntervalSince1970: 1_900_000_000 + 60.5)
            #expect(try await store.overdueReviews(now: late, limit: 10).map(\.id) == [reviews[0].id])
            #expect(try await store.markEscalated(id: reviews[0].id, at: late))
            #expect(try await !store.markEscalated(id: reviews[0].id, at: late), "escalated once")
            #expect(try await store.overdueReviews(now: late.addingTimeInterval(10), limit: 10).map(\.id) == [reviews[1].id, reviews[2].id])

            let now = reviews[0].createdAt.addingTimeInterval(5)
            for review in reviews {
                _ = try await store.decideReview(
                    id: review.id,
                    decision: ReviewDecision(verdict: .approved, reviewer: "ana", decidedAt: now),
                    now: now
                )
            }
            #expect(
                try await store.undeliveredReviews(routes: ["claims"], now: now, limit: 10).map(\.id) == [reviews[1].id],
                "the waited one is leased"
            )
            #expect(try await store.undeliveredReviews(routes: [], now: now, limit: 10).isEmpty)
            #expect(try await store.leaseDelivery(id: reviews[1].id, until: now.addingTimeInterval(30), now: now))
            #expect(try await !store.leaseDelivery(id: reviews[1].id, until: now.addingTimeInterval(30), now: now), "one sender at a time")
            let lapsed = now.addingTimeInterval(31)
            #expect(try await store.undeliveredReviews(routes: ["claims", "other"], now: lapsed, limit: 10).count == 3)
            #expect(try await store.leaseDelivery(id: reviews[1].id, until: lapsed.addingTimeInterval(30), now: lapsed), "tried again once lapsed")
            #expect(try await store.markDelivered(id: reviews[1].id, at: lapsed))
            #expect(try await !store.leaseDelivery(id: reviews[1].id, until: lapsed.addingTimeInterval(60), now: lapsed.addingTimeInterval(60)))
        }
    }
}
