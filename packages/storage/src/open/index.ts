export {
  migrateStorage,
  openStorage,
  type Storage,
  type StorageCommonOptions,
  type StorageConfig,
} from './open-storage.js';
