namespace NurtureEngine.Web.Api;

/// <summary>
/// Human words for the OpenAPI document: a summary per endpoint and, where API.md shows one, the
/// request body's example. The endpoints read their bodies with <see cref="JsonBody"/> (to answer
/// 400/422 the contract's way), so the request schemas are described here instead of inferred.
/// </summary>
public static class ApiDocs
{
    public sealed record Entry(string Summary, string? RequestExample = null, string? Description = null);

    public static readonly IReadOnlyDictionary<string, Entry> Endpoints = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase)
    {
        ["POST /api/v1/leads"] = new("Create or update a lead by email (upsert)", """
            { "email": "Ada@Example.com", "firstName": "Ada", "lastName": "Lovelace",
              "company": "Analytical Engines", "jobTitle": "CTO", "phone": "+44 20 1234",
              "timeZone": "Europe/London", "source": "webinar-form", "dealValue": 12000,
              "owner": "rep@ourcompany.test", "tags": ["webinar"], "attributes": { "industry": "manufacturing" },
              "pipeline": "default", "stage": "lead" }
            """, "Only `email` is required. 201 with the lead when created, 200 when updated; an update merges."),
        ["GET /api/v1/leads"] = new("List leads (keyset paging), or find one by exact email",
            Description: "Filters: stage, pipeline, minScore, owner, tag, status, q, email; limit up to 500 (default 50); cursor from nextCursor."),
        ["GET /api/v1/imports/{id}"] = new("A CSV import's progress, and its summary once finished",
            Description: "Imports are started in the admin (/imports); status is queued, running, done or failed."),
        ["PUT /api/v1/forms/{key}"] = new("Create or replace a lead-capture form (hosted at /f/{key}, embeddable with /f/{key}/embed.js)", """
            { "name": "E-book download", "fields": [
                { "name": "email", "label": "Work email", "type": "email", "required": true },
                { "name": "firstName", "label": "First name", "type": "text" },
                { "name": "attributes.industry", "label": "Industry", "type": "select", "options": ["software", "manufacturing"] } ],
              "consentText": "I agree to receive the e-book and occasional product news.", "doubleOptIn": true,
              "tags": ["ebook"], "source": "ebook-form", "redirectUrl": "https://www.example.com/thanks",
              "asset": { "url": "https://www.example.com/ebook.pdf" }, "allowedOrigins": ["https://www.example.com"] }
            """, "Fields: email, firstName, lastName, company, jobTitle, phone or attributes.<key>; types email, text, select, checkbox, hidden. redirectUrl and asset.url are https; allowedOrigins are https origins."),
        ["GET /api/v1/forms"] = new("List forms"),
        ["GET /api/v1/forms/{key}"] = new("Get a form"),
        ["GET /api/v1/forms/{key}/report"] = new("A form's report: views, submissions, confirmation rate, conversion to MQL"),
        ["GET /api/v1/reports/forms"] = new("Every form's report, and the pages most viewed by leads that reached MQL"),
        ["GET /api/v1/leads/{id}"] = new("Get a lead"),
        ["POST /api/v1/leads/{id}/stage"] = new("Move a lead to a stage (cause `api`)", """{ "stage": "mql", "pipeline": "default" }"""),
        ["GET /api/v1/leads/{id}/timeline"] = new("The lead's timeline, newest first"),
        ["DELETE /api/v1/leads/{id}"] = new("Erase a lead (GDPR); the address stays suppressed by a one-way hash"),
        ["GET /api/v1/leads/{id}/export"] = new("All data held on the lead, as JSON"),
        ["POST /api/v1/events"] = new("Ingest up to 1,000 behaviour events", """
            { "events": [ { "email": "ada@example.com", "type": "demo_attended",
                            "occurredAt": "2026-11-22T10:00:00Z", "idempotencyKey": "crm-123",
                            "properties": { "plan": "pro" } } ] }
            """, "202 after the events are durably stored: { accepted, duplicates, rejected: [{ index, error }] }."),
        ["PUT /api/v1/templates/{key}"] = new("Create or replace an email template (Scriban)", """
            { "name": "Welcome", "subject": "Welcome, {{ lead.first_name }}",
              "html": "<p>Hi {{ lead.first_name }}, thanks for signing up.</p>", "layout": "default" }
            """),
        ["GET /api/v1/templates"] = new("List templates"),
        ["GET /api/v1/templates/{key}"] = new("Get a template"),
        ["POST /api/v1/templates/{key}/preview"] = new("Render a template for a lead exactly as it would be sent",
            """{ "lead": { "email": "ada@example.com", "firstName": "Ada" } }"""),
        ["PUT /api/v1/sequences/{key}"] = new("Create or replace a sequence definition (a new version)", """
            { "name": "Welcome series", "status": "active",
              "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "exitWhen": [ { "type": "stage_entered", "stage": "sql" }, { "type": "replied" } ],
              "reenroll": false,
              "sendWindow": { "days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:00" },
              "steps": [
                { "id": "welcome",  "type": "email", "template": "welcome" },
                { "id": "pause-1",  "type": "wait", "duration": "P2D" },
                { "id": "engaged?", "type": "branch",
                  "if": { "type": "clicked", "step": "welcome", "within": "P2D" }, "then": "hot", "else": "nudge" },
                { "id": "nudge",    "type": "email", "template": "follow-up" },
                { "id": "end",      "type": "exit" },
                { "id": "hot",      "type": "score", "points": 10 },
                { "id": "to-mql",   "type": "stage", "stage": "mql" } ] }
            """),
        ["GET /api/v1/sequences"] = new("List sequences"),
        ["GET /api/v1/sequences/{key}"] = new("Get a sequence"),
        ["GET /api/v1/sequences/{key}/stats"] = new("Per-step counts: sent, delivered, opened, clicked, replied, bounced, unsubscribed, failed, waiting"),
        ["POST /api/v1/sequences/{key}/pause"] = new("Pause a sequence"),
        ["POST /api/v1/sequences/{key}/resume"] = new("Resume a paused sequence"),
        ["POST /api/v1/sequences/{key}/enroll"] = new("Enroll a lead by hand", """{ "leadId": "0b6f2a4e-3c1d-4f59-9a7e-2d8c5b1e6f00" }"""),
        ["POST /api/v1/sequences/{key}/unenroll"] = new("Take a lead out of a sequence", """{ "leadId": "0b6f2a4e-3c1d-4f59-9a7e-2d8c5b1e6f00" }"""),
        ["POST /api/v1/sequences/{key}/simulate"] = new("Simulate a sequence for a lead on a virtual clock; nothing is sent or stored",
            """{ "leadId": "0b6f2a4e-3c1d-4f59-9a7e-2d8c5b1e6f00", "events": [ { "after": "PT1H", "type": "email_clicked" } ] }"""),
        ["POST /api/v1/sequences/{key}/impact"] = new("What saving a new definition would do to enrolled leads"),
        ["PUT /api/v1/segments/{key}"] = new("Create or replace a segment", """
            { "name": "Manufacturing MQLs", "filter": { "type": "all", "of": [ { "type": "in_stage", "stage": "mql" },
              { "type": "attribute", "key": "industry", "equals": "manufacturing" } ] } }
            """),
        ["GET /api/v1/segments"] = new("List segments"),
        ["POST /api/v1/segments/count"] = new("How many leads a filter would hold now, without saving it",
            """{ "filter": { "type": "in_stage", "stage": "mql" } }"""),
        ["GET /api/v1/segments/{key}"] = new("Get a segment"),
        ["POST /api/v1/segments/{key}/enroll"] = new("Enroll every lead of a segment in a sequence"),
        ["GET /api/v1/segments/{key}/leads"] = new("Leads in a segment (paged)"),
        ["POST /api/v1/tasks"] = new("Create a task for a lead's owner by hand",
            """{ "leadId": "01a2...", "title": "Call about pricing", "due": "P1D" }"""),
        ["GET /api/v1/tasks"] = new("The reps' to-do list (owner, status=open|done)"),
        ["POST /api/v1/tasks"] = new("Create a task for a lead's owner by hand"),
        ["POST /api/v1/tasks/{id}/done"] = new("Mark a task done"),
        ["PUT /api/v1/scoring"] = new("Replace all scoring rules, decay and stage thresholds", """
            { "rules": [ { "event": "email_opened", "points": 1 }, { "event": "email_clicked", "points": 5 },
                         { "event": "email_replied", "points": 15 }, { "event": "pricing_viewed", "points": 10 },
                         { "event": "unsubscribed", "points": -50 } ],
              "decay": { "percent": 25, "every": "P30D" },
              "thresholds": [ { "pipeline": "default", "fromStage": "lead", "score": 25, "stage": "mql" } ] }
            """),
        ["GET /api/v1/scoring"] = new("The scoring rules"),
        ["GET /api/v1/pipelines"] = new("List pipelines"),
        ["GET /api/v1/pipelines/{key}"] = new("Get a pipeline"),
        ["PUT /api/v1/pipelines/{key}"] = new("Create or replace a pipeline and its ordered stages", """
            { "name": "Default", "stages": [ { "key": "lead", "name": "Lead", "probability": 5, "kind": "open" },
              { "key": "mql", "name": "MQL", "probability": 15, "kind": "open" },
              { "key": "customer", "name": "Customer", "probability": 100, "kind": "won" } ] }
            """, "Removing a stage that holds leads is refused with 409 unless `moveLeadsTo` names another stage."),
        ["GET /api/v1/pipelines/{key}/funnel"] = new("Funnel report per stage (from, to)"),
        // Companies, deals and sales reports (issue 18)
        ["POST /api/v1/companies"] = new("Create or update a company by domain (upsert); leads at that email domain belong to it",
            """{ "name": "Analytical Engines", "domain": "analytical.example", "attributes": { "industry": "manufacturing" } }""",
            "201 when created, 200 when updated. A free-mail domain (gmail.com, ...) is refused with 422."),
        ["GET /api/v1/companies"] = new("List companies (q searches name and domain)"),
        ["GET /api/v1/companies/{id}"] = new("A company with its leads, deals and their combined timeline (newest first)"),
        ["POST /api/v1/deals"] = new("Create a deal in a deal pipeline", """
            { "name": "Analytical Engines: 50 seats", "leadId": "0b6f2a4e-3c1d-4f59-9a7e-2d8c5b1e6f00",
              "pipeline": "b2b", "stage": "qualified", "amount": 12000, "currency": "EUR",
              "closeDate": "2026-12-31", "owner": "rep@ourcompany.test" }
            """, "201 with the deal. companyId defaults to the lead's company, owner to the lead's owner."),
        ["GET /api/v1/deals"] = new("List deals (pipeline, stage, owner, companyId, leadId, status open|won|lost; keyset paging)"),
        ["GET /api/v1/deals/{id}"] = new("Get a deal"),
        ["PATCH /api/v1/deals/{id}"] = new("Change a deal's fields (omitted ones keep their value; a stage is a stage move)",
            """{ "amount": 15000, "closeDate": "2027-01-31" }"""),
        ["POST /api/v1/deals/{id}/stage"] = new("Move a deal to a stage (lostReason required for a lost stage)",
            """{ "stage": "lost", "lostReason": "price" }"""),
        ["GET /api/v1/leads/{id}/handoffs"] = new("A lead's hand-offs: who was assigned, when, and how each ended (accepted, rejected, breached, superseded)"),
        ["POST /api/v1/leads/{id}/handoff/accept"] = new("Accept the lead's pending hand-off (the assigned rep)", """{ "by": "rep@ourcompany.test" }"""),
        ["POST /api/v1/leads/{id}/handoff/reject"] = new("Reject the lead's pending hand-off with a reason; it may recycle the lead to a nurture stage",
            """{ "reason": "no budget this year", "recycleTo": "lead", "by": "rep@ourcompany.test" }"""),
        ["GET /api/v1/targets"] = new("Per-owner monthly sales targets"),
        ["PUT /api/v1/targets/{owner}"] = new("Set an owner's monthly sales target", """{ "monthly": 4000 }"""),
        ["DELETE /api/v1/targets/{owner}"] = new("Remove an owner's monthly sales target"),
        ["GET /api/v1/pipelines/{key}/forecast"] = new("Open deals by close month: count, amount, weighted amount (from, to)"),
        ["GET /api/v1/reports/sales"] = new("Sales KPIs: win rate, average deal size, cycle, velocity, lost reasons, per owner, per source",
            Description: "Deals closed in [from, to) (default: the last 90 days); open deals are those open now; previousYear is the same period a year earlier."),
        ["POST /api/v1/webhooks/delivery"] = new("Report deliveries, bounces and complaints from your email provider", """
            { "events": [ { "type": "bounce", "email": "ada@example.com", "bounceType": "hard", "status": "5.1.1",
                            "occurredAt": "2026-11-22T10:00:00Z" } ] }
            """),
        ["GET /api/v1/suppressions"] = new("The suppression list (email=, limit=, after=)",
            Description: "Entries are kept by the SHA-256 of the trimmed, lower-cased address; source is hard_bounce, soft_bounces, complaint, manual or erasure."),
        ["POST /api/v1/suppressions"] = new("Suppress an address by hand", """
            { "email": "ada@example.com", "reason": "asked us by phone" }
            """, "201 when added, 200 when it was already listed. A suppressed address is never emailed; each skipped send is on the lead's timeline."),
        ["DELETE /api/v1/suppressions/{emailOrHash}"] = new("Remove an address (or its hash) from the suppression list"),
        ["GET /api/v1/webhooks/subscriptions"] = new("List outbound webhook subscriptions"),
        ["GET /api/v1/webhooks/subscriptions/{key}"] = new("Get an outbound webhook subscription"),
        ["PUT /api/v1/webhooks/subscriptions/{key}"] = new("Create or replace an outbound webhook subscription", """
            { "url": "https://crm.example.com/hooks/nurture", "secret": "whsec_0123456789abcdef",
              "events": ["stage_changed", "score_changed", "email_replied", "unsubscribed"], "active": true }
            """, "Every matching timeline activity is POSTed to the URL as JSON, signed with `X-Nurture-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"t.body\">`."),
        ["DELETE /api/v1/webhooks/subscriptions/{key}"] = new("Delete an outbound webhook subscription"),
        ["GET /api/v1/webhooks/deliveries"] = new("Delivery log of outbound webhooks (subscription=, limit=)"),
        ["POST /api/v1/webhooks/deliveries/{id}/replay"] = new("Send a delivery again"),
        ["PUT /api/v1/broadcasts/{key}"] = new("Create or replace a broadcast (while draft or scheduled; 409 after)", """
            { "name": "December news", "template": "dec-news", "segment": "newsletter", "topic": "product-news",
              "sendAt": "2026-12-10T09:00:00", "localTime": true,
              "abTest": { "variants": [ { "template": "dec-news", "weight": 1 }, { "template": "dec-news-b", "weight": 1 } ],
                          "samplePercent": 20, "winnerBy": "clicks", "decideAfter": "PT4H" } }
            """, "Give `segment` (a key) or `filter` (a condition). With `sendAt` the broadcast is scheduled, without it a draft."),
        ["GET /api/v1/broadcasts"] = new("List broadcasts, newest first, with their stats"),
        ["GET /api/v1/broadcasts/{key}"] = new("A broadcast: definition, status, audience, stats (overall and per variant), A/B decision, links"),
        ["POST /api/v1/broadcasts/{key}/schedule"] = new("Schedule the start", """{ "sendAt": "2026-12-10T09:00:00Z" }"""),
        ["POST /api/v1/broadcasts/{key}/send"] = new("Start now: the audience is frozen in this request"),
        ["POST /api/v1/broadcasts/{key}/pause"] = new("Pause: queued email is held"),
        ["POST /api/v1/broadcasts/{key}/resume"] = new("Resume a paused broadcast"),
        ["POST /api/v1/broadcasts/{key}/cancel"] = new("Cancel: nothing more is sent"),
        ["GET /api/v1/health"] = new("Liveness of the API (no key needed)"),
    };
}
