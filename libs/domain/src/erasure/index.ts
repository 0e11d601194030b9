export * from './erasure.decider';
