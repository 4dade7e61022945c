import TansiqMessages

/// The frame of every page: language and direction, the navigation, the flash message, the
/// live-update script. Stylesheet and script are served by the desk itself (`/desk.css`,
/// `/desk.js`): nothing is loaded from elsewhere, and the content security policy says so.
struct Page {
    var title: String
    var language: Language
    var session: DeskSession?
    var flash: Flash?
    var configuration: DeskConfiguration
    /// The last desk event this page reflects: its live stream starts after it.
    var eventSequence: UInt64 = 0
    /// Set on a referral's page.
    var referralID: String?
    var path: String = "/"

    func render(_ body: String) -> String {
        let l = language
        var nav = ""
        if let session {
            nav = """
                <nav><a href="/">\(h(l("nav.home")))</a>
                \(configuration.coordinates ? "<a href=\"/overview\" id=\"nav-overview\">\(h(l("nav.overview")))</a> <a href=\"/facts\" id=\"nav-facts\">\(h(l("nav.facts")))</a>" : "")
                \(configuration.refers ? "<a href=\"/referrals/new\">\(h(l("nav.new")))</a>" : "")
                \(configuration.provides ? "<a href=\"/service\">\(h(l("nav.service")))</a>" : "")
                <span class="who">\(h(l("nav.signedInAs", "\(session.worker) · \(l("role.\(session.role.rawValue)"))")))</span>
                <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="\(h(session.csrf))"><button type="submit" id="logout">\(h(l("nav.logout")))</button></form>
                </nav>
                """
        }
        let languages = Language.allCases.map { other in
            other == l ? "<strong>\(other.rawValue)</strong>" : "<a href=\"\(h(path))?lang=\(other.rawValue)\" hreflang=\"\(other.rawValue)\">\(other.rawValue)</a>"
        }.joined(separator: " ")
        let flashHTML = flash.map { "<p id=\"flash\" data-kind=\"\(h($0.kind))\" role=\"status\">\(h($0.text))</p>" } ?? ""
        let stateLabels = ReferralState.allCases.map { "\"\($0.rawValue)\":\"\(jsonEscape(l("state.\($0.rawValue)")))\"" }.joined(separator: ",")
        // What the countdowns say, for the script that keeps them current.
        let timeLabels = [("in", "time.in"), ("overdue", "time.overdue"), ("min", "unit.minutes"), ("h", "unit.hours"), ("d", "unit.days")]
            .map { "\"\($0.0)\":\"\(jsonEscape(l($0.1)))\"" }.joined(separator: ",")
        return """
            <!doctype html>
            <html lang="\(l.rawValue)" dir="\(l.direction)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(h(title)) · \(h(l("app.title")))</title>
            <link rel="stylesheet" href="/desk.css"></head>
            <body data-event-sequence="\(eventSequence)"\(referralID.map { " data-referral-id=\"\(h($0))\"" } ?? "")>
            <header><span class="brand">\(h(l("app.title"))) — \(h(configuration.agency))</span>
            <span class="languages" aria-label="\(h(l("nav.language")))">\(languages)</span>\(nav)</header>
            <main>
            \(flashHTML)
            <h1>\(h(title))</h1>
            \(body)
            </main>
            <script type="application/json" id="state-labels">{\(stateLabels)}</script>
            <script type="application/json" id="time-labels">{\(timeLabels)}</script>
            \(session == nil ? "" : "<script src=\"/desk.js\"></script>")
            </body></html>
            """
    }

    private func jsonEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "<", with: "\\u003c")
    }
}

/// The desk's stylesheet and live-update script.
enum DeskAssets {
    static let css = """
        :root { --ink: #1d2733; --muted: #5b6b7c; --line: #d5dde5; --accent: #0b6e4f; --warn: #a33; --bg: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, "Noto Sans", "Noto Sans Arabic", sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1rem; background: var(--accent); color: #fff; }
        header a, header button { color: #fff; }
        header .brand { font-weight: 600; }
        header nav { display: flex; gap: 1rem; align-items: center; margin-inline-start: auto; }
        header .languages { display: flex; gap: .4rem; }
        header button { background: none; border: 1px solid #fff8; border-radius: 4px; cursor: pointer; padding: .1rem .5rem; }
        main { max-width: 72rem; margin: 1rem auto; padding: 0 1rem; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
        table { width: 100%; border-collapse: collapse; background: #fff; }
        th, td { text-align: start; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: .85rem; }
        tr.final { color: var(--muted); }
        .state { font-family: ui-monospace, monospace; background: #eef3f7; border-radius: 4px; padding: 0 .3rem; }
        .label { color: var(--muted); font-size: .85rem; margin-inline-start: .3rem; }
        .priority-stat, .priority-asap { color: var(--warn); font-weight: 600; }
        .overdue { color: var(--warn); }
        .refused { color: var(--warn); border-inline-start: 4px solid var(--warn); background: #fff; padding: .5rem .8rem; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: #fff; padding: .8rem; border: 1px solid var(--line); }
        dt { color: var(--muted); }
        form.action { display: inline-flex; flex-wrap: wrap; gap: .4rem; align-items: end; margin: .3rem .6rem .3rem 0; padding: .5rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
        form.inline { display: inline; }
        label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
        input[type=text], input[type=password], input[type=number], select, textarea { font: inherit; padding: .35rem; border: 1px solid var(--line); border-radius: 4px; min-width: 16rem; max-width: 100%; }
        textarea { width: 100%; min-height: 5rem; }
        button { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        .warning { color: var(--warn); font-size: .9rem; }
        #flash { padding: .6rem .8rem; border-radius: 4px; }
        #flash[data-kind=ok] { background: #e3f4ec; } #flash[data-kind=error] { background: #fbe4e4; color: var(--warn); }
        .muted { color: var(--muted); }
        table.matrix td, table.matrix th { text-align: center; } table.matrix th[scope=row] { text-align: start; }
        table.matrix td a { display: block; font-weight: 600; }
        .stale, .silent { color: var(--warn); font-weight: 600; }
        section.overview { margin-bottom: 1.5rem; }
        .wide { overflow-x: auto; max-width: 100%; }
        table.facts { font-size: .85rem; } table.facts th, table.facts td { padding: .3rem .45rem; }
        table.facts thead th { vertical-align: bottom; } table.facts th[scope=row] { overflow-wrap: anywhere; min-width: 7rem; }
        .chart svg { max-width: 100%; height: auto; } .chart figcaption { font-size: .9rem; }
        [dir=rtl] .chart svg { direction: ltr; }
        @media print { header, form, nav, .languages { display: none; } body { background: #fff; } main { max-width: none; } }
        """

    static let javascript = """
        (function () {
          var labels = {};
          try { labels = JSON.parse(document.getElementById('state-labels').textContent); } catch (e) {}
          var after = document.body.getAttribute('data-event-sequence') || '0';
          var source = new EventSource('/events?after=' + encodeURIComponent(after));
          function refresh(url, id) {
            fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
              var el = document.getElementById(id);
              if (html !== null && el) el.innerHTML = html;
            });
          }
          function setState(el, state) {
            el.textContent = state;
            el.setAttribute('data-state', state);
            var label = el.parentNode && el.parentNode.querySelector('[data-field="state-label"]');
            if (label) label.textContent = labels[state] || state;
            el.setAttribute('title', labels[state] || state);
          }
          function onEvent(message) {
            var event;
            try { event = JSON.parse(message.data); } catch (e) { return; }
            var id = event.referralId;
            var page = document.body.getAttribute('data-referral-id');
            // A service's new status is shown when the form is opened again: refreshing the
            // receiver list under a worker's choice would undo it.
            var overview = document.getElementById('overview-live');
            if (overview) { refresh('/overview?fragment=live&' + (overview.getAttribute('data-query') || ''), 'overview-live'); return; }
            if (!id) return;
            var rows = document.querySelectorAll('tr[data-referral-id="' + id + '"] [data-field="state"]');
            if (event.state) for (var i = 0; i < rows.length; i++) setState(rows[i], event.state);
            if (page === id) {
              var state = document.getElementById('referral-state');
              if (state && event.state) setState(state, event.state);
              refresh('/referrals/' + id + '?fragment=live', 'referral-live');
            } else if (document.getElementById('lists') && (rows.length === 0 || event.kind === 'escalation')) {
              refresh('/?fragment=lists', 'lists');
            }
          }
          ['referral', 'status', 'escalation', 'service', 'refused', 'presence', 'view'].forEach(function (kind) { source.addEventListener(kind, onEvent); });
          // Countdowns to deadlines, as the desk writes them (DeskFormat.relative), kept current.
          var units = {};
          try { units = JSON.parse(document.getElementById('time-labels').textContent); } catch (e) {}
          function duration(ms) {
            var minutes = Math.ceil(ms / 60000);
            if (minutes < 60) return units.min.replace('%@', minutes);
            var hours = Math.round(ms / 3600000);
            if (hours < 48) return units.h.replace('%@', hours);
            return units.d.replace('%@', Math.round(ms / 86400000));
          }
          function tick() {
            if (!units.min) return;
            var now = Date.now();
            var cells = document.querySelectorAll('[data-countdown]');
            for (var i = 0; i < cells.length; i++) {
              var left = Number(cells[i].getAttribute('data-countdown')) - now;
              cells[i].textContent = (left >= 0 ? units['in'] : units.overdue).replace('%@', duration(Math.abs(left)));
              cells[i].classList.toggle('overdue', left < 0);
            }
          }
          setInterval(tick, 30000);
          // A deadline passes without any message: the overview is read again every 5 s too.
          if (document.getElementById('overview-live')) setInterval(function () {
            var overview = document.getElementById('overview-live');
            refresh('/overview?fragment=live&' + (overview.getAttribute('data-query') || ''), 'overview-live');
          }, 5000);
        })();
        """
}
