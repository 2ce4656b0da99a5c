---@brief
--- chant-lsp: diagnostics, hover, go to definition, completion and more for chant spec projects
--- (markdown specs with YAML frontmatter in `.chant/specs/`).
---
--- Install the `chant-lsp` binary (`cargo install --path .` in a chant-lsp checkout) so that it
--- is on PATH, then, on Neovim 0.11+:
---
--- ```lua
--- vim.lsp.enable('chant_lsp')
--- ```
---
--- The server starts only for markdown files inside a project, that is below a directory that
--- holds a `.chant` folder; other markdown files get no client.
---
--- Settings go in the `chant` section, for example
--- `settings = { chant = { diagnostics = { disabled = { 'model-waste' } } } }`
--- (keys: diagnostics.select, diagnostics.ignore, diagnostics.disabled, diagnostics.severity,
--- archived, executable, startWatch, logLevel). `select` and `ignore` replace those of the
--- project's `chant-lsp.toml`.

---@type vim.lsp.Config
return {
  cmd = { 'chant-lsp' },
  filetypes = { 'markdown' },
  root_dir = function(bufnr, on_dir)
    -- Only inside a chant project (a directory holding a `.chant` directory; a file named
    -- `.chant` does not count): without a root the client is not started at all.
    local root = vim.fs.root(bufnr, function(name, path)
      return name == '.chant' and vim.fn.isdirectory(path .. '/' .. name) == 1
    end)
    if root then
      on_dir(root)
    end
  end,
}
