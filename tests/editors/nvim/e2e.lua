-- Neovim end-to-end test of chant-lsp through the configs in editors/nvim, doing what a person
-- does: open a spec, read its diagnostics, list the specs and the ready queue in the quickfix
-- list, hover a dependency, go to its definition, use the :Chant* commands (:ChantGraph mermaid
-- and svg too), open a markdown file outside any project, apply a quick fix, save, and run the
-- spec through a code action (watching the run's $/progress).
--
-- Run by tests/editors/run.sh as
--   nvim --headless -u NONE -i NONE -n -c 'luafile e2e.lua'
-- with CHANT_TEST_ROOT (a copy of examples/demo), CHANT_TEST_OUTSIDE (a markdown file outside any
-- project), CHANT_TEST_STYLE (modern = init_modern.lua for 0.11+, legacy = init_legacy.lua for 0.7+),
-- CHANT_TEST_EDITORS_NVIM (editors/nvim) and CHANT_TEST_HERE (this folder); `chant-lsp` and the
-- fake chant (tests/fake-chant/chant) as `chant` on PATH; CHANT_TEST_ROOT is a git repository.
-- Works on Neovim 0.7 to 0.11+. Prints one JSON line on stdout; exits 0 when every step passed,
-- 1 when a step failed, 2 when the harness itself broke.
--
-- To add a step, add an entry to `steps` below: { name = ..., run = function() ... end }; `run`
-- raises an error (use `fail`/`expect`) to fail and returns a table of details for the JSON line.

local env = vim.env
local uv = vim.uv or vim.loop
local ROOT = env.CHANT_TEST_ROOT
local OUTSIDE = env.CHANT_TEST_OUTSIDE
local STYLE = env.CHANT_TEST_STYLE or (vim.fn.has('nvim-0.11') == 1 and 'modern' or 'legacy')
local HERE = env.CHANT_TEST_HERE
local NAME = 'chant_lsp'

local v = vim.version()
local result = {
  ok = false,
  nvim_version = ('%d.%d.%d'):format(v.major, v.minor, v.patch),
  style = STYLE,
  steps = {},
  failures = {},
}

-- --- helpers ---------------------------------------------------------------------------------

local function fail(msg)
  error(msg, 0)
end

local function expect(cond, msg)
  if not cond then
    fail(msg)
  end
  return cond
end

--- Waits up to `ms` for `cond()` to return a value other than nil/false and returns it.
local function wait_for(ms, what, cond)
  local value
  local ok = vim.wait(ms, function()
    value = cond()
    return value ~= nil and value ~= false
  end, 20)
  if not ok then
    fail(('timed out after %d ms: %s'):format(ms, what))
  end
  return value
end

--- Every LSP client attached to a buffer, whatever its name.
local function attached(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  local list = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    table.insert(list, c)
  end
  return list
end

local function chant_client(bufnr)
  for _, c in ipairs(attached(bufnr)) do
    if c.name == NAME then
      return c
    end
  end
end

local function all_chant_clients()
  local list = {}
  local every = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, c in pairs(every) do
    if c.name == NAME then
      table.insert(list, c)
    end
  end
  return list
end

local function same_path(a, b)
  return a and b and (uv.fs_realpath(a) or a) == (uv.fs_realpath(b) or b)
end

local function edit(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function line_text(bufnr, lnum0)
  return vim.api.nvim_buf_get_lines(bufnr, lnum0, lnum0 + 1, false)[1]
end

local function diag_code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function floating_windows()
  local wins = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      table.insert(wins, win)
    end
  end
  return wins
end

-- What the user would see as messages: vim.notify and window/showMessage.
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = tostring(msg), level = level })
end
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, params, ctx, config)
  table.insert(notes, { msg = params and params.message or '', level = params and params.type, lsp = true })
  return show_message(err, params, ctx, config)
end

local function note_matching(pattern)
  for _, n in ipairs(notes) do
    if n.msg:find(pattern, 1, true) then
      return n
    end
  end
end

-- What the server sends about runs: $/progress, window/logMessage, window/showMessageRequest and
-- the results of workspace/executeCommand. Each wraps Neovim's own handler and calls it, except
-- showMessageRequest: its default handler asks with inputlist (0.7) or vim.ui.select, so the test
-- answers as a user who dismisses the prompt (no action chosen).
local progress, logs, prompts, executed = {}, {}, {}, {}
local function wrap(method, record)
  local orig = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, params, ctx, config)
    record(err, params, ctx)
    if orig then
      return orig(err, params, ctx, config)
    end
  end
end
wrap('$/progress', function(_, params)
  local val = params and params.value
  if type(val) == 'table' then
    table.insert(progress, {
      token = params.token, kind = val.kind, title = val.title, message = val.message,
      cancellable = val.cancellable, ms = math.floor(uv.hrtime() / 1e6),
    })
  end
end)
wrap('window/logMessage', function(_, params)
  table.insert(logs, params and params.message or '')
end)
wrap('workspace/executeCommand', function(err, res, ctx)
  table.insert(executed, { command = ctx and ctx.params and ctx.params.command, err = err and err.message, result = res })
end)
vim.lsp.handlers['window/showMessageRequest'] = function(_, params)
  table.insert(prompts, {
    message = params and params.message, type = params and params.type,
    actions = vim.tbl_map(function(a) return a.title end, (params and params.actions) or {}),
  })
  return vim.NIL
end

-- vim.ui.select as the user who picks an entry by its title: set `ui_pick` to the title before
-- vim.lsp.buf.code_action(); `ui_offered` then holds
-- the titles Neovim offered. 0.7 passes { client_id, action } tuples, 0.8+ { action = ..., ctx = ... }.
local ui_pick, ui_offered
local real_select = vim.ui.select
vim.ui.select = function(items, opts, on_choice)
  if (opts or {}).kind ~= 'codeaction' or not ui_pick then
    return real_select(items, opts, on_choice)
  end
  local titles, index = {}, nil
  for i, item in ipairs(items) do
    local action = item.action or item[2]
    table.insert(titles, action.title)
    if action.title == ui_pick then
      index = i
    end
  end
  ui_offered = titles
  on_choice(index and items[index], index)
end

--- Runs vim.lsp.buf.code_action() at the cursor, choosing the entry titled `title`; returns the
--- titles offered (nil when Neovim offered none in `ms`).
local function choose_code_action(title, ms)
  ui_pick, ui_offered = title, nil
  vim.lsp.buf.code_action()
  vim.wait(ms or 5000, function()
    return ui_offered ~= nil
  end, 20)
  local offered = ui_offered
  ui_pick, ui_offered = nil, nil
  return offered
end

--- A diagnostic as the LSP object the server published (0.10+ keep all of it in user_data.lsp;
--- 0.7 keeps code, data etc. there and the rest in the vim.diagnostic fields).
local function lsp_diagnostic(d)
  local orig = (d.user_data and d.user_data.lsp) or {}
  if orig.range then
    return orig
  end
  return vim.tbl_extend('keep', {
    range = {
      start = { line = d.lnum, character = d.col },
      ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
    },
    message = d.message, severity = d.severity, source = d.source, code = d.code,
  }, orig)
end

local function client_capabilities(client)
  return client.capabilities or (client.config and client.config.capabilities)
    or vim.lsp.protocol.make_client_capabilities()
end

local function read_file(path)
  local f = io.open(path, 'r')
  if not f then
    return nil
  end
  local text = f:read('*a')
  f:close()
  return text
end

--- The titles of the code lenses Neovim shows in `bufnr`, once `want(title)` holds for one of
--- them (refreshing the lenses at most every 500 ms while waiting).
local function wait_lens(bufnr, what, want)
  local last = 0
  return wait_for(20000, what, function()
    local now = uv.hrtime()
    if now - last > 5e8 then
      last = now
      pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
    end
    local titles, hit = {}, false
    for _, l in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
      if l.command and l.command.title then
        table.insert(titles, l.command.title)
        hit = hit or want(l.command.title)
      end
    end
    return hit and titles
  end)
end

--- The text of the hover at the cursor (asked up to `tries` times, `ms` apart; nil without one).
local function hover_at_cursor(tries, want)
  local text
  for _ = 1, tries do
    vim.lsp.buf.hover()
    local win
    vim.wait(3000, function()
      win = floating_windows()[1]
      return win ~= nil
    end, 20)
    if win then
      text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
      vim.api.nvim_win_close(win, true)
      if not want or want(text) then
        return text
      end
    end
    vim.wait(500)
  end
  return text
end

-- --- the scenario ----------------------------------------------------------------------------

local ctx = {}
local U4X = ROOT .. '/.chant/specs/2026-11-05-001-u4x.md'
local P9D = ROOT .. '/.chant/specs/2026-11-02-002-p9d.md'

local steps = {
  {
    name = 'attach',
    run = function()
      ctx.spec = edit(U4X)
      expect(vim.bo[ctx.spec].filetype == 'markdown', 'filetype is ' .. vim.bo[ctx.spec].filetype)
      local client = wait_for(10000, 'a chant_lsp client attaches to ' .. U4X, function()
        return chant_client(ctx.spec)
      end)
      ctx.client_id = client.id
      expect(same_path(client.config.root_dir, ROOT), 'root_dir ' .. tostring(client.config.root_dir) .. ' ~= ' .. ROOT)
      return { root_dir = client.config.root_dir, offset_encoding = client.offset_encoding, cmd = client.config.cmd }
    end,
  },
  {
    name = 'diagnostic',
    run = function()
      local found = wait_for(20000, 'diagnostic unknown-dependency on the spec', function()
        for _, d in ipairs(vim.diagnostic.get(ctx.spec)) do
          if diag_code(d) == 'unknown-dependency' then
            return d
          end
        end
      end)
      expect(found.lnum == 3 and found.col == 13,
        ('unknown-dependency at line %d col %d (1-based), want 4:14'):format(found.lnum + 1, found.col + 1))
      expect(found.severity == vim.diagnostic.severity.ERROR, 'severity ' .. tostring(found.severity))
      return { line = found.lnum + 1, col = found.col + 1, message = found.message, source = found.source }
    end,
  },
  {
    name = 'specs',
    run = function()
      -- :ChantSpecs fills the quickfix list from chant-lsp/specs, grouped as the server groups
      -- the specs (the ready queue first, in chant work --chain order); :ChantReady lists the
      -- queue alone. The demo's states, as chant sees them:
      local want = {
        '[Ready] 002-p9d Wire the rate limiter into the API',
        '[Ready] 001-r7q Research sensible default rate limits',
        '[Ready] 001-d1r.2 Deprecate the v1 routes',
        '[Ready] 001-t5f install the load-test tool first',
        '[Blocked] 001-u4x Add request IDs to API logs — blocked by 2026-11-05-002-zz9 (no such spec)',
        '[Blocked] 001-a2b Add a readiness endpoint — blocked by 2026-10-01-001-old (archived: chant never sees it)',
        '[Blocked] 001-c1a Add the accounts endpoint — blocked by 2026-11-07-002-c2b (pending)',
        '[Blocked] 002-c2b Add account permissions — blocked by 2026-11-07-003-c3c (pending)',
        '[Blocked] 003-c3c Add the audit log for account changes — blocked by 2026-11-07-001-c1a (pending)',
        '[Needs attention] 001-y8e Split the router into its own module — chant cannot read this spec (see its diagnostics)',
        '[In progress without a live run] 001-d1r Ship the v2 API — no run holds its lock (stopped or crashed)',
        '[Completed] 001-k3v Add a token-bucket rate limiter',
        '[Completed] 001-d1r.1 Add versioned routes',
        '[Completed] 002-zz8 Add structured logging',
      }
      local function texts(title)
        local qf = vim.fn.getqflist({ title = 1, items = 1 })
        if qf.title ~= title or #qf.items == 0 then
          return nil
        end
        local out = {}
        for _, it in ipairs(qf.items) do
          table.insert(out, { text = it.text, file = vim.api.nvim_buf_get_name(it.bufnr) })
        end
        return out
      end
      vim.cmd('buffer ' .. ctx.spec)
      vim.fn.setqflist({}, 'r', { title = 'none', items = {} })
      vim.cmd('ChantSpecs')
      local got = wait_for(10000, ':ChantSpecs fills the quickfix list', function()
        return texts('chant: specs')
      end)
      local lines = vim.tbl_map(function(e) return e.text end, got)
      expect(vim.deep_equal(lines, want), ':ChantSpecs entries: ' .. vim.inspect(lines))
      expect(got[1].file:find('/.chant/specs/2026-11-02-002-p9d.md', 1, true), 'first entry opens ' .. got[1].file)
      vim.cmd('cclose')
      vim.cmd('buffer ' .. ctx.spec)
      vim.cmd('ChantReady')
      local ready = wait_for(10000, ':ChantReady fills the quickfix list', function()
        return texts('chant: ready queue')
      end)
      local rlines = vim.tbl_map(function(e) return e.text end, ready)
      expect(vim.deep_equal(rlines, {
        '[Ready 1/4] 002-p9d Wire the rate limiter into the API',
        '[Ready 2/4] 001-r7q Research sensible default rate limits',
        '[Ready 3/4] 001-d1r.2 Deprecate the v1 routes',
        '[Ready 4/4] 001-t5f install the load-test tool first',
      }), ':ChantReady entries: ' .. vim.inspect(rlines))
      vim.cmd('cclose')
      vim.cmd('buffer ' .. ctx.spec)
      return { specs = #lines, ready = rlines }
    end,
  },
  {
    name = 'hover',
    run = function()
      ctx.dep = edit(P9D)
      wait_for(5000, 'the client attaches to ' .. P9D, function()
        return chant_client(ctx.dep)
      end)
      expect(line_text(ctx.dep, 4) == '- 2026-11-02-001-k3v', 'line 5 is ' .. tostring(line_text(ctx.dep, 4)))
      vim.api.nvim_win_set_cursor(0, { 5, 2 }) -- on the first character of the ID
      local text, win
      for _ = 1, 3 do -- the server may still be loading the project: ask again
        vim.lsp.buf.hover()
        local ok = vim.wait(4000, function()
          win = floating_windows()[1]
          return win ~= nil
        end, 20)
        if ok then
          text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
          break
        end
      end
      expect(text, 'no hover window opened (messages: ' .. vim.inspect(notes) .. ')')
      vim.api.nvim_win_close(win, true)
      expect(text:find('Add a token-bucket rate limiter', 1, true), 'hover has no title: ' .. text)
      expect(text:find('completed', 1, true), 'hover has no status: ' .. text)
      return { text = text }
    end,
  },
  {
    name = 'definition',
    run = function()
      vim.api.nvim_win_set_cursor(0, { 5, 2 })
      vim.lsp.buf.definition()
      local name = wait_for(10000, 'go to definition opens 2026-11-02-001-k3v.md', function()
        local n = vim.api.nvim_buf_get_name(0)
        return n:find('/.chant/specs/2026-11-02-001-k3v.md', 1, true) and n
      end)
      local row = vim.api.nvim_win_get_cursor(0)[1]
      local text = line_text(0, row - 1)
      expect(row == 11 and text == '# Add a token-bucket rate limiter',
        ('landed on line %d: %s'):format(row, tostring(text)))
      return { file = name, line = row, text = text }
    end,
  },
  {
    name = 'commands',
    run = function()
      -- :ChantWork / :ChantStop / :ChantLog send workspace/executeCommand with the buffer's URI;
      -- whatever the server answers (an outcome, or an error while it lacks the command) must be
      -- shown to the user.
      vim.cmd('buffer ' .. ctx.spec)
      local shown = {}
      for _, c in ipairs({ { 'ChantWork', 'chant.run' }, { 'ChantStop', 'chant.stop' }, { 'ChantLog', 'chant.showLog' } }) do
        notes = {}
        vim.cmd(c[1])
        local n = wait_for(10000, ':' .. c[1] .. ' shows the outcome of ' .. c[2], function()
          return note_matching(c[2]) or (notes[1] and notes[1].lsp and notes[1])
        end)
        shown[c[1]] = n.msg
      end
      return shown
    end,
  },
  {
    name = 'graph',
    run = function()
      -- :ChantGraph mermaid opens the project's graph as Mermaid text in a scratch buffer.
      vim.cmd('buffer ' .. ctx.spec)
      local before = vim.api.nvim_get_current_buf()
      vim.cmd('ChantGraph mermaid')
      local buf = wait_for(10000, ':ChantGraph mermaid opens a scratch buffer', function()
        local b = vim.api.nvim_get_current_buf()
        return b ~= before and vim.bo[b].buftype == 'nofile' and b
      end)
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      local text = table.concat(lines, '\n')
      for _, want in ipairs({
        'flowchart TB',
        '  s_2026_11_02_001_k3v --> s_2026_11_02_002_p9d',
        '  s_2026_11_05_002_zz9 --> s_2026_11_05_001_u4x',
        '  s_2026_11_04_001_d1r -.-> s_2026_11_04_001_d1r_1',
        '  s_2026_11_07_002_c2b --> s_2026_11_07_001_c1a',
        '  s_2026_11_07_003_c3c --> s_2026_11_07_002_c2b',
        '  s_2026_11_07_001_c1a --> s_2026_11_07_003_c3c',
        '  linkStyle 5,6,7 stroke:#d62728,stroke-width:2px',
      }) do
        expect(text:find(want .. '\n', 1, true) or text:sub(-#want) == want, 'the buffer lacks "' .. want .. '":\n' .. text)
      end
      expect(vim.bo[buf].filetype == 'mermaid', 'filetype ' .. vim.bo[buf].filetype)
      vim.cmd('close')
      -- :ChantGraph writes the SVG to a file and opens it with vim.ui.open (0.10+; replaced here
      -- by a function that records the path), before 0.10 it says where the file is.
      local real_open, opened = vim.ui.open, nil
      if real_open then
        vim.ui.open = function(path)
          opened = path
          return nil, nil
        end
      end
      notes = {}
      vim.cmd('ChantGraph')
      local path = wait_for(10000, ':ChantGraph writes the SVG', function()
        if opened then
          return opened
        end
        local n = note_matching('dependency graph written to ')
        return n and n.msg:match('written to (.+%.svg)$')
      end)
      vim.ui.open = real_open
      local svg = read_file(path) or ''
      expect(svg:find('<svg', 1, true), 'not an SVG: ' .. path)
      local _, cycle = svg:gsub('<g class="edge cycle"', '')
      expect(cycle == 3, ('%d cycle edges in the SVG, want 3'):format(cycle))
      return { mermaid_lines = #lines, svg = path, cycle_edges = cycle, opened_with = real_open and 'vim.ui.open' or 'a message' }
    end,
  },
  {
    name = 'outside',
    run = function()
      local buf = edit(OUTSIDE)
      expect(vim.bo[buf].filetype == 'markdown', 'filetype is ' .. vim.bo[buf].filetype)
      vim.wait(1500, function()
        return #attached(buf) > 0
      end, 50)
      local names = {}
      for _, c in ipairs(attached(buf)) do
        table.insert(names, c.name)
      end
      expect(#names == 0, 'clients attached outside a chant project: ' .. table.concat(names, ', '))
      expect(#all_chant_clients() == 1, #all_chant_clients() .. ' chant_lsp clients are running, want 1')
      notes = {}
      vim.cmd('ChantWork')
      local n = expect(note_matching('not attached'), ':ChantWork outside a project says nothing: ' .. vim.inspect(notes))
      return { attached = names, chant_work = n.msg }
    end,
  },
  {
    name = 'source-file',
    run = function()
      -- Any file of the project (here Rust) gets the client, a lens naming the spec that
      -- changes it, and that spec's entry as its reference on line 1.
      local buf = edit(ROOT .. '/src/limiter.rs')
      local client = wait_for(10000, 'the chant_lsp client attaches to src/limiter.rs', function()
        return chant_client(buf)
      end)
      expect(#all_chant_clients() == 1, #all_chant_clients() .. ' chant_lsp clients are running, want 1')
      local titles = wait_lens(buf, 'a lens naming the spec that changes src/limiter.rs', function(t)
        return t:find('changed by 001-k3v · Add a token-bucket rate limiter · completed', 1, true) ~= nil
      end)
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = 0, character = 0 },
        context = { includeDeclaration = false },
      }
      local answers = vim.lsp.buf_request_sync(buf, 'textDocument/references', params, 5000) or {}
      local refs = answers[client.id] and answers[client.id].result or {}
      local files = {}
      for _, r in ipairs(refs) do
        table.insert(files, (r.uri:gsub('.*/', '')) .. ':' .. (r.range.start.line + 1))
      end
      expect(vim.tbl_contains(files, '2026-11-02-001-k3v.md:5'), 'references on line 1: ' .. vim.inspect(files))
      return { lenses = titles, references = files, filetype = vim.bo[buf].filetype }
    end,
  },
  {
    name = 'quick-fix',
    run = function()
      vim.cmd('buffer ' .. ctx.spec)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      local caps = client_capabilities(client)
      local ca = (caps.textDocument or {}).codeAction or {}
      local detail = {
        disabled_support = ca.disabledSupport == true,
        document_changes = ((caps.workspace or {}).workspaceEdit or {}).documentChanges == true,
      }
      local diag
      for _, d in ipairs(vim.diagnostic.get(ctx.spec)) do
        if diag_code(d) == 'unknown-dependency' then
          diag = d
        end
      end
      expect(diag, 'the unknown-dependency diagnostic is gone before the fix')
      -- What the server answers at the diagnostic, with the diagnostic in the context (as
      -- Neovim sends it): the fixes, and the refused run action in the form this client takes.
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(ctx.spec) },
        range = { start = { line = 3, character = 13 }, ['end'] = { line = 3, character = 13 } },
        context = { diagnostics = { lsp_diagnostic(diag) } },
      }
      local answers = vim.lsp.buf_request_sync(ctx.spec, 'textDocument/codeAction', params, 5000) or {}
      local raw = answers[ctx.client_id] and answers[ctx.client_id].result or {}
      local fix, run
      for _, a in ipairs(raw) do
        if a.title == 'Change to `2026-11-05-002-zz8`' then
          fix = a
        elseif a.title:find('Run 2026-11-05-001-u4x (chant work)', 1, true) then
          run = a
        end
      end
      expect(fix, 'no "Change to `2026-11-05-002-zz8`" fix in ' .. vim.inspect(raw))
      expect(fix.kind == 'quickfix' and fix.isPreferred == true, 'the fix is not a preferred quickfix: ' .. vim.inspect(fix))
      expect(fix.edit, 'the fix has no edit: ' .. vim.inspect(fix))
      detail.fix_edit_shape = fix.edit.documentChanges and 'documentChanges' or 'changes'
      expect(run, 'no run action in ' .. vim.inspect(raw))
      detail.refused_run = { title = run.title, disabled = run.disabled, command = run.command and run.command.command }
      if detail.disabled_support then
        expect(run.disabled and run.disabled.reason, 'refused run is not disabled: ' .. vim.inspect(run))
      else
        expect(run.title:find(' — not now: ', 1, true) and run.command and run.command.command == 'chant.explain',
          'refused run is not a "not now" explanation: ' .. vim.inspect(run))
      end
      -- As a person: cursor on the diagnostic, code actions, pick the fix (Neovim applies its edit
      -- with vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)).
      vim.api.nvim_win_set_cursor(0, { 4, 13 })
      local offered = choose_code_action('Change to `2026-11-05-002-zz8`')
      expect(offered, 'vim.lsp.buf.code_action() offered nothing (messages: ' .. vim.inspect(notes) .. ')')
      detail.offered = offered
      expect(vim.tbl_contains(offered, 'Change to `2026-11-05-002-zz8`'), 'the fix is not offered: ' .. vim.inspect(offered))
      wait_for(5000, 'line 4 reads depends_on: [2026-11-05-002-zz8]', function()
        return line_text(ctx.spec, 3) == 'depends_on: [2026-11-05-002-zz8]'
      end)
      local t = uv.hrtime()
      wait_for(5000, 'the unknown-dependency diagnostic goes away', function()
        for _, d in ipairs(vim.diagnostic.get(ctx.spec)) do
          if diag_code(d) == 'unknown-dependency' then
            return false
          end
        end
        return true
      end)
      detail.diagnostic_gone_ms = math.floor((uv.hrtime() - t) / 1e6)
      vim.cmd('write')
      expect(not vim.bo[ctx.spec].modified, 'the buffer is still modified after :write')
      expect((read_file(U4X) or ''):find('depends_on: [2026-11-05-002-zz8]', 1, true), 'the file on disk has no fix')
      return detail
    end,
  },
  {
    name = 'run-progress',
    run = function()
      -- Code actions anywhere in the spec (no `only`): pick "Run … (chant work)"; Neovim executes
      -- its command (workspace/executeCommand chant.run). The server then reports the run with
      -- $/progress under a token it creates, and the outcome in window/showMessageRequest.
      local RUN = 'Run 2026-11-05-001-u4x (chant work)'
      vim.cmd('buffer ' .. ctx.spec)
      vim.api.nvim_win_set_cursor(0, { 8, 2 }) -- the title line
      progress, logs, prompts, executed = {}, {}, {}, {}
      local offered = choose_code_action(RUN)
      expect(offered, 'vim.lsp.buf.code_action() offered nothing (messages: ' .. vim.inspect(notes) .. ')')
      expect(vim.tbl_contains(offered, RUN), RUN .. ' is not offered: ' .. vim.inspect(offered))
      local started = wait_for(5000, 'workspace/executeCommand chant.run answers', function()
        return executed[1]
      end)
      expect(type(started.result) == 'table' and started.result.started == '2026-11-05-001-u4x',
        'chant.run answered ' .. vim.inspect(started))
      local token
      local function events(kind)
        local list = {}
        for _, p in ipairs(progress) do
          if p.kind == kind and p.token == token then
            table.insert(list, p)
          end
        end
        return list
      end
      local begin = wait_for(5000, 'a $/progress begin for a chant-lsp/run/ token', function()
        for _, p in ipairs(progress) do
          if p.kind == 'begin' and type(p.token) == 'string' and p.token:find('chant-lsp/run/2026-11-05-001-u4x/', 1, true) == 1 then
            token = p.token
            return p
          end
        end
      end)
      expect(begin.title == 'chant work 2026-11-05-001-u4x --no-watch', 'begin title: ' .. tostring(begin.title))
      expect(begin.cancellable == true, 'the run is not cancellable')
      local finish = wait_for(20000, '$/progress end for ' .. token, function()
        return events('end')[1]
      end)
      -- Reports: a ticker ("running · 0s") until chant prints, then its latest line.
      local reports, steps_seen = events('report'), {}
      for _, r in ipairs(reports) do
        if (r.message or ''):find('agent step %d+ of %d+ on 2026%-11%-05%-001%-u4x') then
          table.insert(steps_seen, r.message)
        end
      end
      expect(#steps_seen >= 1, 'no $/progress report with an agent line: ' .. vim.inspect(reports))
      expect((finish.message or ''):find('the spec is now completed', 1, true), 'end: ' .. tostring(finish.message))
      local prompt = wait_for(5000, 'window/showMessageRequest with the outcome', function()
        for _, m in ipairs(prompts) do
          if (m.message or ''):find('chant work 2026-11-05-001-u4x: exit 0', 1, true) then
            return m
          end
        end
      end)
      local lines = 0
      for _, l in ipairs(logs) do
        if l:find('[2026-11-05-001-u4x] agent step', 1, true) == 1 then
          lines = lines + 1
        end
      end
      local disk = read_file(U4X) or ''
      expect(disk:find('\nstatus: completed\n', 1, true), 'the spec on disk is not completed:\n' .. disk)
      return {
        offered = offered,
        result = started.result,
        token = token,
        begin = begin.title,
        reports = #reports,
        agent_reports = #steps_seen,
        first_agent_report = steps_seen[1],
        ['end'] = finish.message,
        run_ms = finish.ms - begin.ms,
        prompt = prompt,
        log_lines = lines,
      }
    end,
  },
  {
    name = 'git-fact',
    run = function()
      -- After the run, the spec's hover names its branch and the agent's commit (git facts read
      -- by the server in the background once the fake chant committed).
      vim.cmd('buffer ' .. ctx.spec)
      vim.cmd('checktime')
      local title
      for i, l in ipairs(vim.api.nvim_buf_get_lines(ctx.spec, 0, -1, false)) do
        if l:find('# ', 1, true) == 1 then
          title = i
          break
        end
      end
      expect(title, 'no title line in the spec')
      vim.api.nvim_win_set_cursor(0, { title, 2 })
      -- The newest of the spec's commits: the agent's, or chant's transcript commit after it.
      local want = "newest `%x%x%x%x%x%x%x+` '[^']*2026%-11%-05%-001%-u4x"
      local text = hover_at_cursor(10, function(t)
        return t:find(want) ~= nil
      end)
      expect(text and text:find('branch', 1, true) and text:find('chant/2026-11-05-001-u4x', 1, true),
        'hover has no git part: ' .. tostring(text))
      expect(text:find(want), 'hover names no commit of the spec: ' .. text)
      return { hover = text }
    end,
  },
  {
    name = 'shutdown',
    always = true,
    run = function()
      local ids = {}
      for _, c in ipairs(all_chant_clients()) do
        table.insert(ids, c.id)
        vim.lsp.stop_client(c.id)
      end
      wait_for(5000, 'the server shuts down', function()
        for _, id in ipairs(ids) do
          if vim.lsp.get_client_by_id(id) then
            return false
          end
        end
        return true
      end)
      return { stopped = #ids }
    end,
  },
}

-- --- runner ----------------------------------------------------------------------------------

local function main()
  vim.cmd('filetype on') -- -u NONE skips it, and without it nothing attaches
  pcall(vim.lsp.set_log_level, 'debug')
  dofile(HERE .. '/init_' .. STYLE .. '.lua')
  local failed = false
  for _, step in ipairs(steps) do
    if step.todo then
      table.insert(result.steps, { name = step.name, todo = step.todo })
    elseif failed and not step.always then
      table.insert(result.steps, { name = step.name, skipped = true })
    else
      local t = uv.hrtime()
      local ok, detail = pcall(step.run)
      local entry = { name = step.name, ok = ok, ms = math.floor((uv.hrtime() - t) / 1e6) }
      if ok then
        entry.detail = detail
      else
        entry.error = tostring(detail)
        table.insert(result.failures, step.name .. ': ' .. tostring(detail))
        failed = true
      end
      table.insert(result.steps, entry)
    end
  end
  result.ok = not failed
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  table.insert(result.failures, 'harness error: ' .. tostring(err))
end
io.stdout:write(vim.json.encode(result) .. '\n')
io.stdout:flush()
if not ok then
  vim.cmd('cquit 2')
elseif not result.ok then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
