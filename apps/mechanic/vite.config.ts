import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiTarget = 'http://localhost:3000';

export default defineConfig({
  base: '/mechanic/',
  plugins: [react()],
  server: {
    port: 5174,
    proxy: {
      '/trpc': { target: apiTarget, ws: true },
      '/room-photos': { target: apiTarget },
    },
  },
  build: { sourcemap: true },
});
