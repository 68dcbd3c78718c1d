// NestJS on Express: corsguard as Express middleware with app.use(cors(...)), instead of enableCors()
// (which is the `cors` package, unvalidated). The controller and module are plain classes with Nest's
// decorators applied as functions, so this file needs neither experimentalDecorators nor
// emitDecoratorMetadata; with them, write @Controller('items'), @Get() and @Module({...}) as usual.
import 'reflect-metadata';
import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import cors from 'corsguard';

export class ItemsController {
  list(): { id: number; name: string }[] {
    return [{ id: 1, name: 'first' }];
  }

  create(item: { name?: unknown }): { created: unknown } {
    return { created: item.name };
  }
}

/** Applies a method decorator as `@decorator` above the method would. */
function decorate(decorator: MethodDecorator, target: object, method: string): void {
  decorator(target, method, Object.getOwnPropertyDescriptor(target, method)!);
}

Controller('items')(ItemsController);
decorate(Get(), ItemsController.prototype, 'list');
decorate(Post(), ItemsController.prototype, 'create');
// @Body() on the first parameter of create.
Body()(ItemsController.prototype, 'create', 0);

// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is an empty class
export class AppModule {}
Module({ controllers: [ItemsController] })(AppModule);

/** Builds the Nest application on an Express instance, with corsguard in front of every route. */
export async function createNestApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule,
    new ExpressAdapter(express()),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class and documents them as a literal
    { logger: false },
  );
  // Before init() or listen(): Express runs middleware in the order it is added, routes come later.
  app.use(
    cors({
      origin: ['https://app.example.com', 'https://*.preview.example.com'],
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization'],
      maxAge: 600,
    }),
  );
  await app.init();
  return app;
}
