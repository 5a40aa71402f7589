/// The tables of evaluation runs, their results and the applications' feedback, the same on both
/// backends (written once, respelled by ``RegistrySchema``). A team of `''` is the shared namespace.
enum EvaluationSchema {
    static let tables = """
        CREATE TABLE evaluation_runs (
            id TEXT PRIMARY KEY, team TEXT NOT NULL, prompt_team TEXT, prompt_name TEXT, prompt_version INTEGER,
            dataset_team TEXT NOT NULL, dataset_name TEXT NOT NULL, dataset_version INTEGER NOT NULL, route TEXT NOT NULL,
            plan TEXT NOT NULL, cases INTEGER NOT NULL, started_at DOUBLE NOT NULL, finished_at DOUBLE, created_by TEXT
        );
        CREATE INDEX evaluation_runs_team ON evaluation_runs (team, started_at);
        CREATE TABLE evaluation_results (
            run_id TEXT NOT NULL, case_id TEXT NOT NULL, outcome TEXT NOT NULL, finished_at DOUBLE NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (run_id, case_id)
        );
        CREATE TABLE feedback (
            id TEXT PRIMARY KEY, request_id TEXT NOT NULL, team TEXT NOT NULL, key_id TEXT, score DOUBLE, label TEXT,
            correction TEXT, comment TEXT, created_at DOUBLE NOT NULL
        );
        CREATE INDEX feedback_request ON feedback (request_id);
        CREATE INDEX feedback_team ON feedback (team, created_at)
        """

    /// The request log's mark of evaluation traffic.
    static let requestColumn = "ALTER TABLE requests ADD COLUMN evaluation_run TEXT"
}
