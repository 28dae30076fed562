/**
 * The words the seeded backlog is made of: subjects per kind of repository (each with a real-looking
 * file, function and test) and body templates per kind of issue. Bodies are written so the
 * reference scoring reads them as intended: ready bugs and features carry files, a function,
 * acceptance words and a `## Section`; vague ones carry none of that. Words the blocked pattern
 * matches ("blocks", "blocking") appear only in blocked issues.
 */

export interface Subject {
  readonly area: string;
  readonly file: string;
  readonly func: string;
  readonly test: string;
  readonly bugs: readonly string[];
  readonly features: readonly string[];
  readonly refactors: readonly string[];
  readonly research: readonly string[];
  readonly security: readonly string[];
}

export interface Domain {
  readonly description: string;
  readonly versions: readonly string[];
  readonly errors: readonly string[];
  readonly subjects: readonly Subject[];
}

const API: Domain = {
  description: 'HTTP API and background workers',
  versions: ['v2.14.0', 'v2.14.1', 'v2.15.0-rc.1', 'main at 4e1c9a2'],
  errors: [
    "TypeError: Cannot read properties of undefined (reading 'userId')",
    'error: duplicate key value violates unique constraint "sessions_pkey"',
    'Error: connect ECONNREFUSED 127.0.0.1:6379',
    'FATAL: remaining connection slots are reserved for non-replication superuser connections',
  ],
  subjects: [
    {
      area: 'session handling',
      file: 'src/auth/session.ts',
      func: 'refreshSession',
      test: 'test/auth/session.test.ts',
      bugs: ['Session refresh drops the CSRF token', 'Expired sessions are accepted for five more minutes', 'Logout leaves the refresh token valid'],
      features: ['Let admins revoke every session of a user', 'Remember-me sessions with a 30-day limit'],
      refactors: ['Split session storage from cookie handling'],
      research: ['Compare opaque tokens with signed JWTs for sessions'],
      security: ['Password reset tokens never expire', 'Session fixation after OAuth login'],
    },
    {
      area: 'rate limiting',
      file: 'src/middleware/rate-limit.ts',
      func: 'consumeToken',
      test: 'test/middleware/rate-limit.test.ts',
      bugs: ['Rate limiter counts CORS preflight requests', '429 responses are missing Retry-After'],
      features: ['Per-token rate limits set from the admin API'],
      refactors: ['Move rate limit buckets behind a storage interface'],
      research: ['Evaluate sliding-window against token-bucket limits'],
      security: ['Rate limit bypass through a spoofed X-Forwarded-For'],
    },
    {
      area: 'webhook delivery',
      file: 'src/webhooks/deliver.ts',
      func: 'deliverWebhook',
      test: 'test/webhooks/deliver.test.ts',
      bugs: ['Webhook retries fire twice after a timeout', 'Webhook signature header is hex instead of base64'],
      features: ['Show the last 20 webhook deliveries per endpoint'],
      refactors: ['Extract the webhook retry schedule into config'],
      research: ['Survey at-least-once delivery for webhooks'],
      security: ['Webhook URLs can target internal addresses (SSRF)'],
    },
    {
      area: 'pagination',
      file: 'src/http/paginate.ts',
      func: 'buildLinkHeader',
      test: 'test/http/paginate.test.ts',
      bugs: ['Link header points at page 0 on empty results', 'X-Total-Count is off by one with label filters'],
      features: ['Cursor pagination for the events endpoint'],
      refactors: ['Share one pagination helper across list endpoints'],
      research: ['Measure COUNT(*) cost on the large issues table'],
      security: [],
    },
    {
      area: 'database migrations',
      file: 'src/db/migrate.ts',
      func: 'runMigrations',
      test: 'test/db/migrate.test.ts',
      bugs: ['Migrations run twice when two pods start together', 'Down migration 0042 leaves an orphaned index'],
      features: ['Dry-run mode for database migrations'],
      refactors: ['Replace raw SQL in migrations with the query builder'],
      research: ['Investigate online schema changes for the issues table'],
      security: ['Migration logs print the database password'],
    },
    {
      area: 'file uploads',
      file: 'src/storage/upload.ts',
      func: 'finalizeUpload',
      test: 'test/storage/upload.test.ts',
      bugs: ['Uploads larger than 2 GiB fail at the last chunk', 'Upload progress stops at 99%'],
      features: ['Resumable uploads for attachments'],
      refactors: ['Stream uploads instead of buffering them in memory'],
      research: [],
      security: ['Uploaded SVG files are served inline with scripts'],
    },
  ],
};

const WEB: Domain = {
  description: 'web front end',
  versions: ['Chrome 131', 'Firefox 133', 'Safari 18.2', 'the 2024-12 release'],
  errors: [
    'Warning: Cannot update a component while rendering a different component',
    'Uncaught (in promise) TypeError: Failed to fetch',
    'ResizeObserver loop completed with undelivered notifications',
    "TypeError: can't access property \"map\", rows is undefined",
  ],
  subjects: [
    {
      area: 'the login form',
      file: 'src/components/login-form.tsx',
      func: 'handleSubmit',
      test: 'src/components/login-form.test.tsx',
      bugs: ['Login fails on an empty password instead of showing an error', 'Enter submits the login form twice'],
      features: ['Caps-lock warning on the password field'],
      refactors: ['Move login form validation into a hook'],
      research: [],
      security: ['Login form autofills one-time codes into the username'],
    },
    {
      area: 'the dashboard',
      file: 'src/pages/dashboard.tsx',
      func: 'useDashboardData',
      test: 'src/pages/dashboard.test.tsx',
      bugs: ['Dashboard charts render blank after switching teams', 'Dashboard polls every second in background tabs'],
      features: ['Pin favourite charts to the top of the dashboard'],
      refactors: ["Replace the dashboard's ad-hoc fetches with the query cache"],
      research: ['Profile dashboard render time with 500 widgets'],
      security: [],
    },
    {
      area: 'the issues table',
      file: 'src/components/data-table.tsx',
      func: 'sortRows',
      test: 'src/components/data-table.test.tsx',
      bugs: ['Sorting by date puts empty values first', 'Table header misaligns when a scrollbar appears'],
      features: ['Column visibility menu for the issues table'],
      refactors: ['Virtualise data table rows'],
      research: ['Compare virtual scrolling libraries for the table'],
      security: [],
    },
    {
      area: 'the notification centre',
      file: 'src/hooks/use-notifications.ts',
      func: 'useNotifications',
      test: 'src/hooks/use-notifications.test.ts',
      bugs: ['Notification badge stays after reading everything', 'Toasts stack off-screen on small phones'],
      features: ['Mute notifications per project'],
      refactors: ['Consolidate toast and banner notifications'],
      research: [],
      security: [],
    },
    {
      area: 'date formatting',
      file: 'src/i18n/format-date.ts',
      func: 'formatRelativeDate',
      test: 'src/i18n/format-date.test.ts',
      bugs: ['Relative dates say "in 0 minutes" for past times', 'Polish plural forms are wrong for 2–4 items'],
      features: ['Right-to-left layout for Arabic and Hebrew'],
      refactors: [],
      research: ['Audit which strings are still hard-coded in English'],
      security: [],
    },
    {
      area: 'profile settings',
      file: 'src/pages/settings/profile.tsx',
      func: 'saveProfile',
      test: 'src/pages/settings/profile.test.tsx',
      bugs: ['Saving the profile resets the avatar', 'Timezone picker ignores the browser default'],
      features: ['Export account data as JSON from settings'],
      refactors: [],
      research: [],
      security: ['Profile page shows email addresses of other users', 'New API tokens stay visible after reload'],
    },
  ],
};

const INFRA: Domain = {
  description: 'deployment, CI and operations',
  versions: ['runner image 2024.11', 'the staging cluster', 'production (eu-west)', 'Helm chart 3.8.2'],
  errors: [
    'exit status 137 (OOMKilled)',
    'Error: UPGRADE FAILED: context deadline exceeded',
    'x509: certificate has expired or is not yet valid',
    'pg_dump: error: connection to server failed: timeout expired',
  ],
  subjects: [
    {
      area: 'the CI pipeline',
      file: 'scripts/ci/run-tests.sh',
      func: 'run_shard',
      test: 'tests/ci/test_run_tests.py',
      bugs: ['CI cache is never restored on forks', 'Shard 3 times out on arm64 runners'],
      features: ['Run the e2e suite only when web/ changes'],
      refactors: ['Merge the three lint jobs into one workflow'],
      research: ['Estimate savings from self-hosted CI runners'],
      security: ['CI logs echo the registry password'],
    },
    {
      area: 'database backups',
      file: 'scripts/backup.sh',
      func: 'snapshot_volume',
      test: 'tests/test_backup.py',
      bugs: ['Nightly backup silently skips the uploads bucket', 'Backup rotation deletes the newest snapshot'],
      features: ['Weekly restore drill for the database backup'],
      refactors: [],
      research: ['Compare WAL archiving with nightly dumps'],
      security: ['Backups sit unencrypted in the shared bucket'],
    },
    {
      area: 'certificate renewal',
      file: 'scripts/rotate_certs.py',
      func: 'renew_certificate',
      test: 'tests/test_rotate_certs.py',
      bugs: ['Certificate renewal fails when the DNS challenge is slow'],
      features: ['Alert 14 days before any certificate expires'],
      refactors: [],
      research: [],
      security: ['Staging still accepts TLS 1.0'],
    },
    {
      area: 'container images',
      file: 'docker/entrypoint.sh',
      func: 'wait_for_db',
      test: 'tests/test_entrypoint.py',
      bugs: ['Container exits 0 when the database is unreachable', 'Image build pulls an unpinned base image'],
      features: [],
      refactors: ['Shrink the API image with a multi-stage build'],
      research: ['Try distroless base images for the workers'],
      security: [],
    },
    {
      area: 'the Helm chart',
      file: 'scripts/render_chart.py',
      func: 'render_values',
      test: 'tests/test_render_chart.py',
      bugs: ['Helm chart ignores the resources override', 'Readiness probe still points at /health'],
      features: ['Autoscaling for the worker deployment'],
      refactors: ['Deduplicate env sections across chart templates'],
      research: [],
      security: [],
    },
    {
      area: 'alerting',
      file: 'monitoring/alerts.yaml',
      func: 'check_disk',
      test: 'tests/test_alerts.py',
      bugs: ['Disk alert fires at 5% usage instead of 95%', 'Grafana panel queries a renamed metric'],
      features: ['Page on-call when the job queue grows for 10 minutes'],
      refactors: [],
      research: ['Investigate cardinality of request_duration_seconds'],
      security: [],
    },
  ],
};

/** Repos named like these get that domain; others take one in turn. */
export const DOMAINS: ReadonlyMap<string, Domain> = new Map([
  ['api', API],
  ['web', WEB],
  ['infra', INFRA],
]);
export const DOMAIN_CYCLE: readonly Domain[] = [API, WEB, INFRA];

export const DEFAULT_REPO_NAMES = ['api', 'web', 'infra', 'docs', 'mobile', 'cli', 'sdk', 'billing', 'search', 'worker'];

/** `{name}` slots are filled from the subject and draws. */
export const BUG_BODIES: readonly string[] = [
  `This started after we moved to {version}.

## Steps
1. Start a fresh instance with the default config
2. Exercise {area} the way the title describes
3. Look at what \`{func}()\` in \`{file}\` returns

## Expected
The call should succeed and {area} must behave as documented.

## Actual
It fails every time. The log shows:

\`\`\`
{error}
\`\`\`

A regression test in \`{test}\` should cover this.`,
  `Reported by two customers this week; I reproduced it on {version}.

## Steps
1. Sign in as a regular user
2. Repeat the action from the title three times
3. Check the server log

## Expected
No error, and the response should match the one from the previous release.

## Actual
\`{error}\`

The code path is \`{func}()\` in \`{file}\`; \`{test}\` has no case for it yet.`,
  `## Problem
\`{func}()\` in \`{file}\` does not handle the case in the title, so {area} ends up in a bad state.

## Steps
- run the existing suite: \`{test}\` passes, because nothing exercises this path
- trigger it by hand on {version}: \`{error}\`

## Expected
A failing test first, then the fix. The function should return an error instead of crashing.`,
  `Found while on call last night ({version}).

## Actual
\`{error}\`

## Expected
{area} should keep working; at minimum the error must be reported to the user.

Suspect \`{func}()\` in \`{file}\`. Please add a case to \`{test}\` that fails without the fix.`,
];

export const SECURITY_BODIES: readonly string[] = [
  `Reported privately through security@; details are in the internal tracker.

## Steps
1. Use two accounts, one of them without admin rights
2. Follow the flow in the title against {version}
3. Observe the result of \`{func}()\` in \`{file}\`

## Expected
The request must be rejected and the attempt should be logged.

Please keep the fix small so it can be backported; a test in \`{test}\` should prove the hole is closed.`,
  `## Problem
\`{func}()\` in \`{file}\` trusts input it should verify. This affects every deployment on {version}.

## Expected
- untrusted input must be rejected
- the existing tests in \`{test}\` should keep passing
- add a case that fails today`,
];

export const FEATURE_BODIES: readonly string[] = [
  `## Problem
Users keep asking for this in support tickets; today the only workaround is a manual script.

## Proposal
Implement it in \`{file}\`, reusing \`{func}()\` where possible.

## Acceptance criteria
- [ ] the new behaviour sits behind a setting that is off by default
- [ ] existing callers must keep working unchanged
- [ ] \`{test}\` should cover the setting on and off`,
  `It would make {area} much easier to live with.

## Solution
A small addition next to \`{func}()\` in \`{file}\`; no schema change needed.

Acceptance: the option should show up in the docs, and \`{test}\` must exercise it.`,
  `Follow-up from the planning session.

## Problem
{area} cannot do this today, so teams script around it.

## Acceptance criteria
1. It should be configurable per project
2. The default must not change current behaviour
3. Covered by \`{test}\`

Code pointers: \`{file}\`, \`{func}()\`.`,
];

export const REFACTOR_BODIES: readonly string[] = [
  `## Problem
\`{file}\` has grown past 800 lines and \`{func}()\` does three unrelated things.

## Solution
Split it along the seams we already have. No behaviour change: the existing tests must pass as they are, and \`{test}\` should not need edits.`,
  `Every change to {area} touches \`{func}()\` in \`{file}\`, and reviews keep stalling on it.

## Solution
Extract the shared part and delete the copies. Acceptance: \`{test}\` should stay green without changes; coverage must not drop.`,
];

export const RESEARCH_BODIES: readonly string[] = [
  `We need numbers before we decide what to do about {area}.

## Questions
- How does \`{func}()\` in \`{file}\` behave under load today?
- What do comparable projects do?

## Expected outcome
A short write-up; it should compare at least two options and must end with a recommendation. A script to verify the numbers would help (\`{test}\` shows the current setup).`,
  `Spike, time-boxed to two days.

## Expected
A one-page summary that should answer: is \`{func}()\` in \`{file}\` the bottleneck, and what must change if it is? Verify with a benchmark next to \`{test}\`.`,
];

export const BLOCKED_LINES: readonly string[] = [
  'Blocked by #{other}: that change has to land first.',
  'This is blocked on #{other} (the schema change).',
  'Blocked until #{other} is released; nothing to do before then.',
];

export const VAGUE: readonly { readonly title: string; readonly body: string; readonly bug: boolean }[] = [
  { title: '{Area} is slow sometimes', body: 'Not sure when it started. Anyone else seeing this?', bug: false },
  { title: 'Something odd with {area}', body: '', bug: false },
  { title: 'Improve {area}', body: 'We could do better here.', bug: false },
  { title: 'Docs for {area}', body: 'Someone asked about this in chat today.', bug: false },
  { title: '{Area} broken on Safari', body: 'Reported by a customer, no details yet.', bug: true },
  { title: '{Area} acting up again', body: 'Same as last month?', bug: true },
  { title: 'Look into {area} memory use', body: 'Graphs look high. Maybe nothing.', bug: false },
  { title: 'Ideas for {area}', body: '- faster\n- nicer\n- fewer support tickets', bug: false },
];

export const THIN_FEATURES: readonly string[] = ['Dark mode for {area}', 'Keyboard shortcuts for {area}', 'Better defaults for {area}'];
export const THIN_RESEARCH: readonly string[] = ['[research] look into {area} options', 'Spike: rethink {area}'];

export const META: readonly { readonly title: string; readonly label: string; readonly body: string }[] = [
  {
    title: 'RFC: should agents be allowed to merge their own PRs?',
    label: 'rfc',
    body: `Agents already open most of our small fixes. Merging is the last step a human still does.

I think a human should stay in the loop for anything touching {area}, but for typo fixes and dependency bumps the review is a formality. Where do we draw the line?`,
  },
  {
    title: 'Discussion: what does "done" mean for an agent-written change?',
    label: 'discussion',
    body: `Green CI is necessary but clearly not enough: last week a change to {area} passed every check and still broke a customer.

Should "done" include a human reading the diff? A canary? Let's collect opinions before the retro.`,
  },
  {
    title: 'Question: why do we keep two HTTP clients?',
    label: 'question',
    body: 'There is one in {area} and another one in the SDK. Is there history here, or can one go?',
  },
  {
    title: 'How much autonomy should the triage loop have?',
    label: 'philosophy',
    body: `Right now it proposes and we approve everything by hand. That is safe and slow.

What would we need to see before letting it dispatch P1 work on its own? Track record? A budget? An off switch we trust?`,
  },
  {
    title: 'RFC: versioning policy for the public API',
    label: 'rfc',
    body: `We broke two integrations with the last release of {area}. Proposal: semver for the REST API, a deprecation window of two minor releases, and a changelog section for every removal.`,
  },
  {
    title: 'Discussion: on-call and agent escalations',
    label: 'discussion',
    body: `When an agent gets stuck at 3am it pings the owner. Should that go to on-call instead, or wait until morning?`,
  },
];

export const COMMENTS: readonly string[] = [
  'I can reproduce this on main.',
  '+1, we hit this in staging yesterday.',
  'Any update on this one?',
  'Could this be related to the upgrade last week?',
  'I had a look: the fix is probably small, but it needs a test first.',
  'Customer success asked about this again today.',
  'Not seeing it anymore on my machine, can someone else confirm?',
  'Adding this to the next planning session.',
];

export const META_REPLIES: readonly string[] = [
  'Strong +1 from me; the current process is mostly ceremony.',
  'I disagree: the last incident happened exactly because nobody looked.',
  'Can we try it for a month on one repo and compare?',
  'Whatever we pick, let us write it down in CONTRIBUTING.md.',
  'This is less about tooling and more about who is accountable.',
];

export const HUMANS: readonly { readonly login: string; readonly fullName: string }[] = [
  { login: 'amara', fullName: 'Amara Okafor' },
  { login: 'bjorn', fullName: 'Björn Lindqvist' },
  { login: 'chen', fullName: 'Chen Wei' },
  { login: 'dana', fullName: 'Dana Whitfield' },
  { login: 'emeka', fullName: 'Emeka Nwosu' },
  { login: 'freya', fullName: 'Freya Holm' },
  { login: 'gaurav', fullName: 'Gaurav Mehta' },
  { login: 'hana', fullName: 'Hana Sato' },
  { login: 'ivo', fullName: 'Ivo Petrov' },
  { login: 'jules', fullName: 'Jules Moreau' },
  { login: 'kofi', fullName: 'Kofi Mensah' },
  { login: 'lucia', fullName: 'Lucía Ferreira' },
];

export const LABELS: readonly { readonly name: string; readonly color: string; readonly description: string }[] = [
  { name: 'bug', color: 'ee0701', description: 'Something is not working' },
  { name: 'regression', color: 'b60205', description: 'Worked in an earlier release' },
  { name: 'security', color: 'd93f0b', description: 'Security problem; handle first' },
  { name: 'enhancement', color: '84b6eb', description: 'New feature or request' },
  { name: 'feature', color: '0e8a16', description: 'A planned capability' },
  { name: 'refactor', color: 'fbca04', description: 'Code change without behaviour change' },
  { name: 'tech-debt', color: 'c5def5', description: 'Shortcuts we want to pay back' },
  { name: 'research', color: '5319e7', description: 'Needs investigation before work' },
  { name: 'spike', color: 'd4c5f9', description: 'Time-boxed investigation' },
  { name: 'rfc', color: 'bfdadc', description: 'Request for comments' },
  { name: 'discussion', color: 'cc317c', description: 'Open-ended conversation' },
  { name: 'question', color: 'd876e3', description: 'Further information is requested' },
  { name: 'philosophy', color: 'fef2c0', description: 'How we work, not what we build' },
  { name: 'documentation', color: '0075ca', description: 'Docs only' },
  { name: 'needs-info', color: 'e4e669', description: 'Waiting for details from the reporter' },
  { name: 'good first issue', color: '7057ff', description: 'Good for newcomers' },
];
