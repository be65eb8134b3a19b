export * from './contract';
export * from './bridge';
export * from './validate';
export * from './wire';
