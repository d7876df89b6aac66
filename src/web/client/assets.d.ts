// Stylesheets are imported for the bundler (esbuild emits them as app.css).
declare module '*.css';
