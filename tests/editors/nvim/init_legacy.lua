-- Neovim 0.7-0.10 setup, as in editors/nvim/README.md ("Neovim 0.7 to 0.10").
vim.opt.runtimepath:prepend(vim.env.CHANT_TEST_EDITORS_NVIM)

vim.api.nvim_create_autocmd('FileType', {
  pattern = '*',
  callback = function(args)
    require('chant').start(args.buf)
  end,
})
require('chant').setup()
