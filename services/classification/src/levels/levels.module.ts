import { Module } from '@nestjs/common';
import { LevelsController } from './levels.controller';
import { LevelsRepository } from './levels.repository';
import { LevelsService } from './levels.service';

/** Level distributions and their history per region. */
@Module({ controllers: [LevelsController], providers: [LevelsRepository, LevelsService] })
export class LevelsModule {}
