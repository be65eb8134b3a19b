export * from './contract';
export * from './bridge';
