export * from './challenge';
export * from './credentials';
export * from './tokens';
