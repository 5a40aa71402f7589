import KeelCore

/// Server-rendered HTML for the dashboard: one layout, escaped text, no script and nothing fetched
/// from the network.
enum HTML {
    /// `text` safe to put in an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// The pages in the navigation bar: path and title.
    static let sections = [
        ("/dashboard", "Overview"), ("/dashboard/routes", "Routes"), ("/dashboard/requests", "Requests"),
        ("/dashboard/operations", "Breakers & budgets"), ("/dashboard/workflows", "Workflows"), ("/dashboard/evaluations", "Evaluations"),
        ("/dashboard/drift", "Drift"), ("/dashboard/reviews", "Reviews"), ("/dashboard/readiness", "Readiness"),
    ]

    /// A whole page for `viewer`: the navigation, whose team it shows, `title`, and `body`.
    static func page(_ title: String, path: String, body: String, viewer: DashboardViewer) -> String {
        // The drift page sums every team's traffic: only for keys that may read `/metrics`; the
        // review queue is for keys that may review, readiness for keys that roll routes out.
        let navigation = sections.filter { link, _ in
            switch link {
            case "/dashboard/drift": viewer.key.allows(.readMetrics)
            case "/dashboard/reviews": viewer.key.allows(.review)
            case "/dashboard/readiness": viewer.key.allows(.operate)
            default: true
            }
        }
        .map { link, name in
            #"<a href="\#(link)"\#(link == path ? #" class="active""# : "")>\#(name)</a>"#
        }
        .joined()
        let shown: String
        switch viewer.scope {
        case .all: shown = "every team"
        case .team(let team): shown = team.map { "team \(escape($0))" } ?? "keys of no team"
        }
        let signOut =
            viewer.formToken.map {
                #"<form method="post" action="/dashboard/logout"><input type="hidden" name="token" value="\#($0)"><button>Sign out</button></form>"#
            } ?? ""
        return """
            \(head(title))
            <body><header><strong>Keel</strong><nav>\(navigation)</nav>
            <span class="who">\(escape(viewer.key.name)) · \(shown)</span>\(signOut)</header>
            <main><h1>\(escape(title))</h1>\(body)</main></body></html>
            """
    }

    /// The document's start up to its body: the title, the style, and an inline icon (so the
    /// browser fetches nothing else).
    static func head(_ title: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%232563eb'/%3E%3C/svg%3E">
        <title>\(escape(title)) · Keel</title><style>\(style)</style></head>
        """
    }

    /// A table; cells are escaped unless they are marked as HTML with ``Cell/html(_:)``.
    static func table(_ header: [String], _ rows: [[Cell]], empty: String = "Nothing yet.") -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(escape(empty))</p>" }
        let head = header.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0.html)</td>" }.joined() + "</tr>" }.joined()
        return "<table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
    }

    /// A table cell: text (escaped) or markup.
    struct Cell: ExpressibleByStringInterpolation {
        var html: String

        init(stringLiteral text: String) { html = escape(text) }
        init(_ text: String) { html = escape(text) }
        static func html(_ markup: String) -> Cell {
            var cell = Cell("")
            cell.html = markup
            return cell
        }
    }

    /// Figures in a row of boxes: label and value.
    static func tiles(_ tiles: [(String, String)]) -> String {
        "<div class=\"tiles\">" + tiles.map { "<div><span>\(escape($0.0))</span><b>\(escape($0.1))</b></div>" }.joined() + "</div>"
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
        header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#1d2430;color:#fff}
        header nav{display:flex;gap:1em;flex:1}header a{color:#c9d1dc;text-decoration:none}header a.active{color:#fff;font-weight:600}
        header button{background:none;border:1px solid #5b6473;color:#c9d1dc;border-radius:4px;cursor:pointer}
        main{padding:1em 1.5em;max-width:1280px}h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.5em}
        table{border-collapse:collapse;background:#fff;width:100%;margin:.5em 0}th,td{padding:.35em .6em;border-bottom:1px solid #e3e6ea;text-align:left}
        th{background:#eef0f3;font-weight:600}td.num,th.num{text-align:right}.bad{color:#b3261e}.ok{color:#1b7f3b}.empty{color:#6b7280}
        .tiles{display:flex;gap:.8em;flex-wrap:wrap}.tiles div{background:#fff;padding:.6em 1em;border-radius:6px;min-width:9em}
        .tiles span{display:block;color:#6b7280;font-size:.85em}.tiles b{font-size:1.3em}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1em}
        .chart{background:#fff;border-radius:6px;padding:.5em}.chart svg{width:100%;height:auto}.timeline svg{max-width:760px}
        form.filters{display:flex;gap:.6em;align-items:end;flex-wrap:wrap}form.filters label{display:flex;flex-direction:column;font-size:.85em}
        pre{background:#fff;padding:.8em;overflow:auto;max-height:24em}
        """
}
