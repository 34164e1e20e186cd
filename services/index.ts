// Service definitions (ЕЛК codes, ФРГУ target codes, regulation): the registry that loads and checks them.
export { ServiceRegistry } from './registry';
export * from './serviceProfile';
