using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <summary>
    /// The whole schema (the earlier migrations squashed into one before the first release). Besides what EF
    /// models it holds what the database keeps itself, in raw SQL at the end of <see cref="Up"/>: the
    /// lead-to-company link, the board and sales-report totals and their triggers, <c>lead.reached_mql_at</c> and
    /// expression indexes. The column defaults EF does not model (<c>pass</c>, <c>object</c>, <c>handoff_turn</c>,
    /// <c>converted</c>) are those the earlier migrations gave existing rows, kept so the schema stays the same.
    /// </summary>
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "nurture");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateTable(
                name: "anonymous_page_view",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    visitor_id = table.Column<string>(type: "text", nullable: false),
                    url = table.Column<string>(type: "text", nullable: false),
                    path = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: true),
                    referrer = table.Column<string>(type: "text", nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_anonymous_page_view", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_key",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    hash = table.Column<string>(type: "text", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_key", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_roles",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_roles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_users",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    user_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_user_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    normalized_email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    email_confirmed = table.Column<bool>(type: "boolean", nullable: false),
                    password_hash = table.Column<string>(type: "text", nullable: true),
                    security_stamp = table.Column<string>(type: "text", nullable: true),
                    concurrency_stamp = table.Column<string>(type: "text", nullable: true),
                    phone_number = table.Column<string>(type: "text", nullable: true),
                    phone_number_confirmed = table.Column<bool>(type: "boolean", nullable: false),
                    two_factor_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    lockout_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lockout_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    access_failed_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "broadcast",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    audience = table.Column<int>(type: "integer", nullable: false),
                    template_version_ids = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    decide_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    winner = table.Column<int>(type: "integer", nullable: true),
                    decision = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcast", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "company",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    attributes = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_company", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dev_inbox_message",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    to_address = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    raw = table.Column<byte[]>(type: "bytea", nullable: false),
                    captured_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dev_inbox_message", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "due_work_state",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    pending_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    scheduled_for = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_due_work_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "email_image",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    content_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    file_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_image", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "email_template",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    current_version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_template", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "form",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    views = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_form", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "inbound_message",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    from_address = table.Column<string>(type: "text", nullable: true),
                    subject = table.Column<string>(type: "text", nullable: true),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: true),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbound_message", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "lead_import",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_by = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    file_name = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    csv = table.Column<byte[]>(type: "bytea", nullable: false),
                    mapping = table.Column<string>(type: "jsonb", nullable: false),
                    duplicates = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    total_rows = table.Column<int>(type: "integer", nullable: false),
                    processed_rows = table.Column<int>(type: "integer", nullable: false),
                    created = table.Column<int>(type: "integer", nullable: false),
                    updated = table.Column<int>(type: "integer", nullable: false),
                    skipped = table.Column<int>(type: "integer", nullable: false),
                    failed = table.Column<int>(type: "integer", nullable: false),
                    errors = table.Column<string>(type: "jsonb", nullable: false),
                    failure = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    claimed_by = table.Column<Guid>(type: "uuid", nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead_import", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pipeline",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    @object = table.Column<string>(name: "object", type: "character varying(32)", maxLength: 32, nullable: false, defaultValue: "Lead")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipeline", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "round_robin_turn",
                schema: "nurture",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    turn = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_round_robin_turn", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "sales_target",
                schema: "nurture",
                columns: table => new
                {
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    monthly_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_target", x => x.owner);
                });

            migrationBuilder.CreateTable(
                name: "segment",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    filter = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "send_rate_state",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    tokens = table.Column<double>(type: "double precision", nullable: false),
                    refreshed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    behind_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_send_rate_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sequence",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    current_version = table.Column<int>(type: "integer", nullable: false),
                    trigger_type = table.Column<string>(type: "text", nullable: false),
                    trigger_key = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "setting",
                schema: "nurture",
                columns: table => new
                {
                    key = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_setting", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "suppression",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    address_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_suppression", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_dispatch_state",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    pending_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    scheduled_for = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_dispatch_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_subscription",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    secret = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    events = table.Column<List<string>>(type: "text[]", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_subscription", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_role_claims",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    role_id = table.Column<string>(type: "text", nullable: false),
                    claim_type = table.Column<string>(type: "text", nullable: true),
                    claim_value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_role_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_asp_net_role_claims_asp_net_roles_role_id",
                        column: x => x.role_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_user_claims",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    claim_type = table.Column<string>(type: "text", nullable: true),
                    claim_value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_asp_net_user_claims_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_user_logins",
                schema: "nurture",
                columns: table => new
                {
                    login_provider = table.Column<string>(type: "text", nullable: false),
                    provider_key = table.Column<string>(type: "text", nullable: false),
                    provider_display_name = table.Column<string>(type: "text", nullable: true),
                    user_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_logins", x => new { x.login_provider, x.provider_key });
                    table.ForeignKey(
                        name: "fk_asp_net_user_logins_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_user_roles",
                schema: "nurture",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    role_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_roles", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_asp_net_user_roles_asp_net_roles_role_id",
                        column: x => x.role_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_asp_net_user_roles_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "asp_net_user_tokens",
                schema: "nurture",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    login_provider = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_asp_net_user_tokens", x => new { x.user_id, x.login_provider, x.name });
                    table.ForeignKey(
                        name: "fk_asp_net_user_tokens_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "nurture",
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "template_version",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    template_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    html = table.Column<string>(type: "text", nullable: false),
                    text = table.Column<string>(type: "text", nullable: true),
                    layout = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_template_version", x => x.id);
                    table.ForeignKey(
                        name: "fk_template_version_email_template_template_id",
                        column: x => x.template_id,
                        principalSchema: "nurture",
                        principalTable: "email_template",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "stage",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    pipeline_id = table.Column<long>(type: "bigint", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    probability = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    handoff = table.Column<string>(type: "jsonb", nullable: true),
                    handoff_turn = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stage", x => x.id);
                    table.ForeignKey(
                        name: "fk_stage_pipeline_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "nurture",
                        principalTable: "pipeline",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sequence_version",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_version", x => x.id);
                    table.ForeignKey(
                        name: "fk_sequence_version_sequence_sequence_id",
                        column: x => x.sequence_id,
                        principalSchema: "nurture",
                        principalTable: "sequence",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "lead",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "text", nullable: false),
                    email_normalized = table.Column<string>(type: "text", nullable: false),
                    first_name = table.Column<string>(type: "text", nullable: true),
                    last_name = table.Column<string>(type: "text", nullable: true),
                    company = table.Column<string>(type: "text", nullable: true),
                    job_title = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    time_zone = table.Column<string>(type: "text", nullable: true),
                    source = table.Column<string>(type: "text", nullable: true),
                    deal_value = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    owner = table.Column<string>(type: "text", nullable: true),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    attributes = table.Column<string>(type: "jsonb", nullable: false),
                    pipeline_id = table.Column<long>(type: "bigint", nullable: false),
                    stage_id = table.Column<long>(type: "bigint", nullable: false),
                    stage_entered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status_reason = table.Column<string>(type: "text", nullable: true),
                    soft_bounces = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    score_decayed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    company_id = table.Column<Guid>(type: "uuid", nullable: true),
                    last_touch_source = table.Column<string>(type: "text", nullable: true),
                    // Not in the EF model: set by the lead_reached_mql trigger below (raw SQL), read by the sales report.
                    reached_mql_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    away_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead", x => x.id);
                    table.ForeignKey(
                        name: "fk_lead_companies_company_id",
                        column: x => x.company_id,
                        principalSchema: "nurture",
                        principalTable: "company",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_lead_pipelines_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "nurture",
                        principalTable: "pipeline",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_lead_stages_stage_id",
                        column: x => x.stage_id,
                        principalSchema: "nurture",
                        principalTable: "stage",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activity",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    event_type = table.Column<string>(type: "text", nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false),
                    data = table.Column<string>(type: "jsonb", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: true),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    sequence_id = table.Column<long>(type: "bigint", nullable: true),
                    step_id = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_activity", x => x.id);
                    table.ForeignKey(
                        name: "fk_activity_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "broadcast_recipient",
                schema: "nurture",
                columns: table => new
                {
                    broadcast_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    variant = table.Column<int>(type: "integer", nullable: true),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcast_recipient", x => new { x.broadcast_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_broadcast_recipient_broadcast_broadcast_id",
                        column: x => x.broadcast_id,
                        principalSchema: "nurture",
                        principalTable: "broadcast",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_broadcast_recipient_leads_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deal",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    company_id = table.Column<Guid>(type: "uuid", nullable: true),
                    pipeline_id = table.Column<long>(type: "bigint", nullable: false),
                    stage_id = table.Column<long>(type: "bigint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    close_date = table.Column<DateOnly>(type: "date", nullable: true),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    lost_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    stage_entered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deal", x => x.id);
                    table.ForeignKey(
                        name: "fk_deal_company_company_id",
                        column: x => x.company_id,
                        principalSchema: "nurture",
                        principalTable: "company",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_deal_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_deal_pipeline_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "nurture",
                        principalTable: "pipeline",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_deal_stage_stage_id",
                        column: x => x.stage_id,
                        principalSchema: "nurture",
                        principalTable: "stage",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "enrollment",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_id = table.Column<long>(type: "bigint", nullable: false),
                    sequence_version_id = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    current_step_id = table.Column<string>(type: "text", nullable: true),
                    next_step_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    wait_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    steps_run = table.Column<int>(type: "integer", nullable: false),
                    enrolled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    end_reason = table.Column<string>(type: "text", nullable: true),
                    pass = table.Column<int>(type: "integer", nullable: false, defaultValue: 0)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enrollment", x => x.id);
                    table.ForeignKey(
                        name: "fk_enrollment_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_enrollment_sequence_versions_sequence_version_id",
                        column: x => x.sequence_version_id,
                        principalSchema: "nurture",
                        principalTable: "sequence_version",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_enrollment_sequences_sequence_id",
                        column: x => x.sequence_id,
                        principalSchema: "nurture",
                        principalTable: "sequence",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "form_submission",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    form_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    confirmation_required = table.Column<bool>(type: "boolean", nullable: false),
                    consent_text = table.Column<string>(type: "text", nullable: true),
                    ip = table.Column<string>(type: "text", nullable: true),
                    user_agent = table.Column<string>(type: "text", nullable: true),
                    page_url = table.Column<string>(type: "text", nullable: true),
                    fields = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_form_submission", x => x.id);
                    table.ForeignKey(
                        name: "fk_form_submission_form_form_id",
                        column: x => x.form_id,
                        principalSchema: "nurture",
                        principalTable: "form",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_form_submission_leads_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "handoff",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stage_id = table.Column<long>(type: "bigint", nullable: true),
                    origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    rule = table.Column<string>(type: "jsonb", nullable: false),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    task_id = table.Column<long>(type: "bigint", nullable: false),
                    handed_off_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    assigned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accept_by = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decided_by = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_handoff", x => x.id);
                    table.ForeignKey(
                        name: "fk_handoff_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "message",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    enrollment_id = table.Column<long>(type: "bigint", nullable: true),
                    sequence_id = table.Column<long>(type: "bigint", nullable: true),
                    step_id = table.Column<string>(type: "text", nullable: true),
                    template_version_id = table.Column<long>(type: "bigint", nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    to_address = table.Column<string>(type: "text", nullable: false),
                    from_address = table.Column<string>(type: "text", nullable: false),
                    from_name = table.Column<string>(type: "text", nullable: true),
                    subject = table.Column<string>(type: "text", nullable: false),
                    html = table.Column<string>(type: "text", nullable: false)
                        .Annotation("Npgsql:Compression:", "lz4"),
                    text = table.Column<string>(type: "text", nullable: false)
                        .Annotation("Npgsql:Compression:", "lz4"),
                    links = table.Column<List<string>>(type: "text[]", nullable: false),
                    message_id_header = table.Column<string>(type: "text", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_owner = table.Column<string>(type: "text", nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    smtp_reply = table.Column<string>(type: "text", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    pass = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    broadcast_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message", x => x.id);
                    table.ForeignKey(
                        name: "fk_message_broadcast_broadcast_id",
                        column: x => x.broadcast_id,
                        principalSchema: "nurture",
                        principalTable: "broadcast",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_message_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_task",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    done_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    done_by = table.Column<string>(type: "text", nullable: true),
                    enrollment_id = table.Column<long>(type: "bigint", nullable: true),
                    sequence_id = table.Column<long>(type: "bigint", nullable: true),
                    step_id = table.Column<string>(type: "text", nullable: true),
                    reminded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_task", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_task_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segment_member",
                schema: "nurture",
                columns: table => new
                {
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_member", x => new { x.segment_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_segment_member_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_segment_member_segment_segment_id",
                        column: x => x.segment_id,
                        principalSchema: "nurture",
                        principalTable: "segment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segment_recheck",
                schema: "nurture",
                columns: table => new
                {
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_recheck", x => new { x.segment_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_segment_recheck_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_segment_recheck_segment_segment_id",
                        column: x => x.segment_id,
                        principalSchema: "nurture",
                        principalTable: "segment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "stage_change",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pipeline_id = table.Column<long>(type: "bigint", nullable: false),
                    from_stage_id = table.Column<long>(type: "bigint", nullable: true),
                    to_stage_id = table.Column<long>(type: "bigint", nullable: false),
                    cause = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    converted = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    left_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    previous_entry_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stage_change", x => x.id);
                    table.ForeignKey(
                        name: "fk_stage_change_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "topic_opt_out",
                schema: "nurture",
                columns: table => new
                {
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    topic = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_topic_opt_out", x => new { x.lead_id, x.topic });
                    table.ForeignKey(
                        name: "fk_topic_opt_out_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "visitor",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    identified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_visitor", x => x.id);
                    table.ForeignKey(
                        name: "fk_visitor_leads_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhook_delivery",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subscription_id = table.Column<long>(type: "bigint", nullable: false),
                    activity_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    body = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_status_code = table.Column<int>(type: "integer", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_delivery", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_delivery_activity_activity_id",
                        column: x => x.activity_id,
                        principalSchema: "nurture",
                        principalTable: "activity",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_webhook_delivery_webhook_subscriptions_subscription_id",
                        column: x => x.subscription_id,
                        principalSchema: "nurture",
                        principalTable: "webhook_subscription",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                schema: "nurture",
                table: "due_work_state",
                columns: new[] { "id", "pending_since", "scheduled_for" },
                values: new object[] { 1, null, null });

            migrationBuilder.InsertData(
                schema: "nurture",
                table: "send_rate_state",
                columns: new[] { "id", "behind_since", "refreshed_at", "tokens" },
                values: new object[] { 1, null, null, 0.0 });

            migrationBuilder.InsertData(
                schema: "nurture",
                table: "webhook_dispatch_state",
                columns: new[] { "id", "pending_since", "scheduled_for" },
                values: new object[] { 1, null, null });

            migrationBuilder.CreateIndex(
                name: "ix_activity_idempotency_key",
                schema: "nurture",
                table: "activity",
                column: "idempotency_key",
                unique: true,
                filter: "idempotency_key IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_activity_lead_id_id",
                schema: "nurture",
                table: "activity",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_activity_message_id_kind",
                schema: "nurture",
                table: "activity",
                columns: new[] { "message_id", "kind" },
                filter: "message_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_anonymous_page_view_at",
                schema: "nurture",
                table: "anonymous_page_view",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_anonymous_page_view_visitor_id_at",
                schema: "nurture",
                table: "anonymous_page_view",
                columns: new[] { "visitor_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_api_key_hash",
                schema: "nurture",
                table: "api_key",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_role_claims_role_id",
                schema: "nurture",
                table: "asp_net_role_claims",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                schema: "nurture",
                table: "asp_net_roles",
                column: "normalized_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_claims_user_id",
                schema: "nurture",
                table: "asp_net_user_claims",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_logins_user_id",
                schema: "nurture",
                table: "asp_net_user_logins",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_user_roles_role_id",
                schema: "nurture",
                table: "asp_net_user_roles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                schema: "nurture",
                table: "asp_net_users",
                column: "normalized_email");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                schema: "nurture",
                table: "asp_net_users",
                column: "normalized_user_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_key",
                schema: "nurture",
                table: "broadcast",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_start_at",
                schema: "nurture",
                table: "broadcast",
                column: "start_at",
                filter: "status = 'Scheduled'");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_due_at",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "due_at",
                filter: "message_id IS NULL AND variant IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_lead_id",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_unqueued",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "broadcast_id",
                filter: "message_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_company_domain",
                schema: "nurture",
                table: "company",
                column: "domain",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deal_company_id",
                schema: "nurture",
                table: "deal",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_deal_lead_id",
                schema: "nurture",
                table: "deal",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_deal_owner_stage_id_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "owner", "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_pipeline_id_stage_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "pipeline_id", "stage_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "amount", "close_date", "owner" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_stage_id_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_dev_inbox_message_captured_at",
                schema: "nurture",
                table: "dev_inbox_message",
                column: "captured_at");

            migrationBuilder.CreateIndex(
                name: "ix_email_image_sha256",
                schema: "nurture",
                table: "email_image",
                column: "sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_email_template_key",
                schema: "nurture",
                table: "email_template",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_enrollment_lead_id_sequence_id",
                schema: "nurture",
                table: "enrollment",
                columns: new[] { "lead_id", "sequence_id" },
                unique: true,
                filter: "status = 'Active'");

            migrationBuilder.CreateIndex(
                name: "ix_enrollment_next_step_at",
                schema: "nurture",
                table: "enrollment",
                column: "next_step_at",
                filter: "status = 'Active'");

            migrationBuilder.CreateIndex(
                name: "ix_enrollment_sequence_id_current_step_id",
                schema: "nurture",
                table: "enrollment",
                columns: new[] { "sequence_id", "current_step_id" });

            migrationBuilder.CreateIndex(
                name: "ix_enrollment_sequence_version_id",
                schema: "nurture",
                table: "enrollment",
                column: "sequence_version_id");

            migrationBuilder.CreateIndex(
                name: "ix_form_key",
                schema: "nurture",
                table: "form",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_form_submission_form_id_submitted_at",
                schema: "nurture",
                table: "form_submission",
                columns: new[] { "form_id", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_form_submission_lead_id",
                schema: "nurture",
                table: "form_submission",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_handoff_assigned_at_owner",
                schema: "nurture",
                table: "handoff",
                columns: new[] { "assigned_at", "owner" });

            migrationBuilder.CreateIndex(
                name: "ix_handoff_lead_id_id",
                schema: "nurture",
                table: "handoff",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_handoff_pending_accept_by",
                schema: "nurture",
                table: "handoff",
                column: "accept_by",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_handoff_pending_lead",
                schema: "nurture",
                table: "handoff",
                column: "lead_id",
                unique: true,
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_inbound_message_key",
                schema: "nurture",
                table: "inbound_message",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_inbound_message_lead_id",
                schema: "nurture",
                table: "inbound_message",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_lead_company_id",
                schema: "nurture",
                table: "lead",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_lead_email_normalized",
                schema: "nurture",
                table: "lead",
                column: "email_normalized",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_lead_owner_stage_id_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "owner", "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_pipeline_id_stage_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "pipeline_id", "stage_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "deal_value" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_score_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "score", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_search_trgm",
                schema: "nurture",
                table: "lead",
                columns: new[] { "email", "first_name", "last_name", "company" })
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_stage_id_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_status_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "status", "id" },
                filter: "status <> 'Subscribed'");

            migrationBuilder.CreateIndex(
                name: "ix_lead_tags",
                schema: "nurture",
                table: "lead",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_lead_import_created_at",
                schema: "nurture",
                table: "lead_import",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_message_broadcast_id_lead_id",
                schema: "nurture",
                table: "message",
                columns: new[] { "broadcast_id", "lead_id" },
                unique: true,
                filter: "broadcast_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_message_broadcast_open",
                schema: "nurture",
                table: "message",
                column: "broadcast_id",
                filter: "broadcast_id IS NOT NULL AND status IN ('Scheduled', 'Sending')");

            migrationBuilder.CreateIndex(
                name: "ix_message_enrollment_id_step_id_pass",
                schema: "nurture",
                table: "message",
                columns: new[] { "enrollment_id", "step_id", "pass" },
                unique: true,
                filter: "enrollment_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_message_lead_id_created_at",
                schema: "nurture",
                table: "message",
                columns: new[] { "lead_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_message_lease_until",
                schema: "nurture",
                table: "message",
                column: "lease_until",
                filter: "status = 'Sending'");

            migrationBuilder.CreateIndex(
                name: "ix_message_not_before",
                schema: "nurture",
                table: "message",
                column: "not_before",
                filter: "status = 'Scheduled'");

            migrationBuilder.CreateIndex(
                name: "ix_message_sequence_id_step_id",
                schema: "nurture",
                table: "message",
                columns: new[] { "sequence_id", "step_id" });

            migrationBuilder.CreateIndex(
                name: "ix_pipeline_key",
                schema: "nurture",
                table: "pipeline",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_due_unreminded",
                schema: "nurture",
                table: "sales_task",
                column: "due_at",
                filter: "status = 'Open' AND reminded_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_enrollment_id_step_id",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "enrollment_id", "step_id" },
                unique: true,
                filter: "enrollment_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_lead_id_id",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_owner_status_due_at",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "owner", "status", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_segment_key",
                schema: "nurture",
                table: "segment",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_segment_member_lead_id",
                schema: "nurture",
                table: "segment_member",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_segment_recheck_due_at",
                schema: "nurture",
                table: "segment_recheck",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "ix_segment_recheck_lead_id",
                schema: "nurture",
                table: "segment_recheck",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_key",
                schema: "nurture",
                table: "sequence",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sequence_trigger_type_trigger_key",
                schema: "nurture",
                table: "sequence",
                columns: new[] { "trigger_type", "trigger_key" });

            migrationBuilder.CreateIndex(
                name: "ix_sequence_version_sequence_id_version",
                schema: "nurture",
                table: "sequence_version",
                columns: new[] { "sequence_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stage_pipeline_id_key",
                schema: "nurture",
                table: "stage",
                columns: new[] { "pipeline_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stage_change_funnel",
                schema: "nurture",
                table: "stage_change",
                columns: new[] { "pipeline_id", "to_stage_id", "at" })
                .Annotation("Npgsql:IndexInclude", new[] { "previous_entry_at", "converted", "left_at" });

            migrationBuilder.CreateIndex(
                name: "ix_stage_change_lead_id_at",
                schema: "nurture",
                table: "stage_change",
                columns: new[] { "lead_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_stage_change_pipeline_id_at",
                schema: "nurture",
                table: "stage_change",
                columns: new[] { "pipeline_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_suppression_address_hash",
                schema: "nurture",
                table: "suppression",
                column: "address_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_template_version_template_id_version",
                schema: "nurture",
                table: "template_version",
                columns: new[] { "template_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_visitor_lead_id",
                schema: "nurture",
                table: "visitor",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_delivery_activity_id_subscription_id",
                schema: "nurture",
                table: "webhook_delivery",
                columns: new[] { "activity_id", "subscription_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_delivery_created_at",
                schema: "nurture",
                table: "webhook_delivery",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_delivery_next_attempt_at",
                schema: "nurture",
                table: "webhook_delivery",
                column: "next_attempt_at",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_delivery_subscription_id_created_at",
                schema: "nurture",
                table: "webhook_delivery",
                columns: new[] { "subscription_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_subscription_key",
                schema: "nurture",
                table: "webhook_subscription",
                column: "key",
                unique: true);

            // What the database keeps itself, outside the EF model (raw SQL): triggers, the tables they fill and
            // expression indexes. Everything here is also dropped in Down.
            migrationBuilder.Sql("""
                -- Every lead made (API, forms, imports, events) is linked to the company at its email's domain by the database itself;
                -- free-mail domains never have a company (refused on upsert).
                CREATE INDEX ix_lead_email_domain ON nurture.lead (split_part(email_normalized, '@', 2));
                CREATE FUNCTION nurture.lead_link_company() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.company_id IS NULL THEN
                        SELECT c.id INTO NEW.company_id FROM nurture.company c WHERE c.domain = split_part(NEW.email_normalized, '@', 2);
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER lead_link_company BEFORE INSERT ON nurture.lead
                    FOR EACH ROW EXECUTE FUNCTION nurture.lead_link_company();

                -- The board's column totals (count and deal value per lead pipeline, stage and owner): every statement that inserts,
                -- updates or deletes leads appends its net change as one row per (pipeline, stage, owner) it touched, from the
                -- statement's transition tables (a COPY of a million leads adds a handful of rows, and concurrent writers never wait on a
                -- shared counter row). Readers sum the rows; BoardService folds them together when they pile up.
                CREATE TABLE nurture.lead_stage_total (
                    pipeline_id bigint NOT NULL,
                    stage_id bigint NOT NULL,
                    owner text,
                    count bigint NOT NULL,
                    amount numeric NOT NULL);
                CREATE INDEX ix_lead_stage_total ON nurture.lead_stage_total (pipeline_id, owner, stage_id) INCLUDE (count, amount);

                CREATE FUNCTION nurture.lead_stage_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(deal_value), 0) FROM new_rows GROUP BY 1, 2, 3;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, -count(*), -coalesce(sum(deal_value), 0) FROM old_rows GROUP BY 1, 2, 3;
                    ELSE
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, sum(n), sum(a) FROM (
                            SELECT pipeline_id, stage_id, owner, 1 AS n, coalesce(deal_value, 0) AS a FROM new_rows
                            UNION ALL
                            SELECT pipeline_id, stage_id, owner, -1, -coalesce(deal_value, 0) FROM old_rows) d
                        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(a) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER lead_stage_total_insert AFTER INSERT ON nurture.lead REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();
                CREATE TRIGGER lead_stage_total_update AFTER UPDATE ON nurture.lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();
                CREATE TRIGGER lead_stage_total_delete AFTER DELETE ON nurture.lead REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();

                -- The sales report's "which leads reached mql" set, read index-only.
                CREATE INDEX ix_stage_change_reached ON nurture.stage_change (pipeline_id, to_stage_id, at) INCLUDE (lead_id);

                -- lead.reached_mql_at: when the lead first entered its lead pipeline's mql stage or a later one, set in the very statement
                -- that writes the new stage (every path that moves a stage sets it; concurrent moves of one lead are serialised by the row
                -- lock the UPDATE takes). Never cleared: a lead moved back still reached mql.
                CREATE FUNCTION nurture.lead_reached_mql() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM nurture.stage s
                               JOIN nurture.stage m ON m.pipeline_id = s.pipeline_id AND m.key = 'mql'
                               JOIN nurture.pipeline p ON p.id = m.pipeline_id AND p.object = 'Lead'
                               WHERE s.id = NEW.stage_id AND s.position >= m.position) THEN
                        NEW.reached_mql_at := coalesce(NEW.stage_entered_at, now());
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER lead_reached_mql BEFORE INSERT OR UPDATE OF stage_id ON nurture.lead
                    FOR EACH ROW WHEN (NEW.reached_mql_at IS NULL) EXECUTE FUNCTION nurture.lead_reached_mql();

                -- The report's partial first and last days are read from the leads themselves (index-only).
                CREATE INDEX ix_lead_created_at_source ON nurture.lead (created_at) INCLUDE (owner, source, last_touch_source, reached_mql_at);

                -- Leads, and how many reached mql, per UTC day made, owner, source and last-touch source; appended like lead_stage_total.
                CREATE TABLE nurture.lead_source_total (
                    day date NOT NULL,
                    owner text,
                    source text,
                    last_touch_source text,
                    leads bigint NOT NULL,
                    mqls bigint NOT NULL);
                CREATE INDEX ix_lead_source_total ON nurture.lead_source_total (day) INCLUDE (owner, source, last_touch_source, leads, mqls);

                CREATE FUNCTION nurture.lead_source_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, count(*), count(reached_mql_at)
                        FROM new_rows GROUP BY 1, 2, 3, 4;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, -count(*), -count(reached_mql_at)
                        FROM old_rows GROUP BY 1, 2, 3, 4;
                    ELSE
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT day, owner, source, last_touch_source, sum(n), sum(m) FROM (
                            SELECT (created_at AT TIME ZONE 'UTC')::date AS day, owner, source, last_touch_source, 1 AS n,
                                   (reached_mql_at IS NOT NULL)::int AS m FROM new_rows
                            UNION ALL
                            SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, -1,
                                   -(reached_mql_at IS NOT NULL)::int FROM old_rows) d
                        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 OR sum(m) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER lead_source_total_insert AFTER INSERT ON nurture.lead REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();
                CREATE TRIGGER lead_source_total_update AFTER UPDATE ON nurture.lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();
                CREATE TRIGGER lead_source_total_delete AFTER DELETE ON nurture.lead REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();

                -- The deal board's column totals per deal pipeline, stage and owner, the same way.
                CREATE TABLE nurture.deal_stage_total (
                    pipeline_id bigint NOT NULL,
                    stage_id bigint NOT NULL,
                    owner text,
                    count bigint NOT NULL,
                    amount numeric NOT NULL);
                CREATE INDEX ix_deal_stage_total ON nurture.deal_stage_total (pipeline_id, owner, stage_id) INCLUDE (count, amount);

                CREATE FUNCTION nurture.deal_stage_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(amount), 0) FROM new_rows GROUP BY 1, 2, 3;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, -count(*), -coalesce(sum(amount), 0) FROM old_rows GROUP BY 1, 2, 3;
                    ELSE
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, sum(n), sum(a) FROM (
                            SELECT pipeline_id, stage_id, owner, 1 AS n, coalesce(amount, 0) AS a FROM new_rows
                            UNION ALL
                            SELECT pipeline_id, stage_id, owner, -1, -coalesce(amount, 0) FROM old_rows) d
                        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(a) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER deal_stage_total_insert AFTER INSERT ON nurture.deal REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();
                CREATE TRIGGER deal_stage_total_update AFTER UPDATE ON nurture.deal REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();
                CREATE TRIGGER deal_stage_total_delete AFTER DELETE ON nurture.deal REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();

                -- The lead list sorted by name: the very expression KeysetPage orders and pages by.
                CREATE INDEX ix_lead_name_sort ON nurture.lead (lower(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')), id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS deal_stage_total_insert ON nurture.deal;
                DROP TRIGGER IF EXISTS deal_stage_total_update ON nurture.deal;
                DROP TRIGGER IF EXISTS deal_stage_total_delete ON nurture.deal;
                DROP FUNCTION IF EXISTS nurture.deal_stage_total_delta();
                DROP TABLE IF EXISTS nurture.deal_stage_total;
                DROP TRIGGER IF EXISTS lead_source_total_insert ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_source_total_update ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_source_total_delete ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_source_total_delta();
                DROP TABLE IF EXISTS nurture.lead_source_total;
                DROP TRIGGER IF EXISTS lead_reached_mql ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_reached_mql();
                DROP TRIGGER IF EXISTS lead_stage_total_insert ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_stage_total_update ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_stage_total_delete ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_stage_total_delta();
                DROP TABLE IF EXISTS nurture.lead_stage_total;
                DROP TRIGGER IF EXISTS lead_link_company ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_link_company();
                """);

            migrationBuilder.DropTable(
                name: "anonymous_page_view",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "api_key",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_role_claims",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_user_claims",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_user_logins",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_user_roles",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_user_tokens",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "broadcast_recipient",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "data_protection_keys",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "deal",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "dev_inbox_message",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "due_work_state",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "email_image",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "enrollment",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "form_submission",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "handoff",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "inbound_message",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "lead_import",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "message",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "round_robin_turn",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "sales_target",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "sales_task",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "segment_member",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "segment_recheck",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "send_rate_state",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "setting",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "stage_change",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "suppression",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "template_version",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "topic_opt_out",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "visitor",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "webhook_delivery",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "webhook_dispatch_state",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_roles",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "asp_net_users",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "sequence_version",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "form",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "broadcast",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "segment",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "email_template",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "activity",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "webhook_subscription",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "sequence",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "lead",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "company",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "stage",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "pipeline",
                schema: "nurture");
        }
    }
}
