import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// base './' makes every URL in the bundle relative, so it works under any path.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
})
